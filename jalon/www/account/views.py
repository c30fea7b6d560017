from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.users.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label="Nom du jeton (à quoi il sert)", max_length=100)


def api_tokens(request):
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        token, new_secret = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        record(
            action=Action.ADMIN,
            actor=request.user,
            structure=request.structure,
            obj=token,
            detail="jeton API créé",
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "account/tokens.html", {"form": form, "tokens": tokens, "new_secret": new_secret})


@require_POST
def api_token_revoke(request, pk: int):
    token = ApiToken.objects.filter(user=request.user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        action=Action.ADMIN,
        actor=request.user,
        structure=request.structure,
        obj=token,
        detail="jeton API révoqué",
    )
    messages.success(request, "Jeton révoqué.")
    return redirect("api_tokens")

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.users.models import ApiToken
from jalon.www import confirm


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


@confirm.get_or_post
def api_token_revoke(request, pk: int):
    token = ApiToken.objects.filter(user=request.user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    if not confirm.confirmed(request):
        return confirm.page(
            request,
            title=f"Révoquer le jeton « {token.name} » ?",
            consequences=[
                "Les programmes et tableurs qui utilisent ce jeton ne pourront plus lire ni écrire dans Jalon.",
                "Un jeton révoqué ne peut pas être réactivé : il faudra en créer un nouveau.",
            ],
            button="Oui, révoquer le jeton",
            back_url=reverse("api_tokens"),
        )
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

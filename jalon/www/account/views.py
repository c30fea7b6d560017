import time
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.people.security import user_requires_mfa
from jalon.users.models import ApiToken, TokenScope
from jalon.www import confirm

from . import sessions
from .reauth import require_recent_login

LIFETIME_CHOICES = [("30", "30 jours"), ("90", "90 jours"), ("180", "6 mois"), ("365", "1 an (le maximum)")]


class TokenForm(forms.Form):
    name = forms.CharField(label="Nom du jeton (à quoi il sert)", max_length=100)
    scope = forms.ChoiceField(
        label="Droits du jeton",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="Lecture seule suffit pour un tableau de bord ou un tableur qui lit les données.",
        error_messages={"invalid_choice": "Choisissez « Lecture seule » ou « Lecture et écriture »."},
    )
    lifetime = forms.TypedChoiceField(
        label="Durée de validité",
        choices=LIFETIME_CHOICES,
        coerce=int,
        initial="90",
        help_text="Passé ce délai, le jeton ne marche plus : il faudra en créer un nouveau.",
        error_messages={"invalid_choice": "Choisissez une durée de 30 jours à 1 an."},
    )


def api_tokens(request):
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST":
        # A token reads and writes with the account's rights: prove it is still you.
        require_recent_login(request)
    if request.method == "POST" and form.is_valid():
        token, new_secret = ApiToken.issue(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            lifetime=timedelta(days=form.cleaned_data["lifetime"]),
        )
        record(
            action=Action.ADMIN,
            actor=request.user,
            structure=request.structure,
            obj=token,
            detail="jeton API créé",
        )
        form = TokenForm()
    return render(request, "account/tokens.html", page_context(request, form=form, new_secret=new_secret))


def page_context(request, **extra) -> dict:
    """What every rendering of the account page shows: tokens and the second-factor status."""
    return {
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
        "mfa_types": sorted(
            {a.get_type_display() for a in Authenticator.objects.filter(user=request.user)}
            - {Authenticator.Type.RECOVERY_CODES.label}
        ),
        # Said only where it is enforced (production), so the page costs no rule query elsewhere.
        "mfa_required": settings.JALON_MFA_REQUIRED and user_requires_mfa(request.user),
        **extra,
    }


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


def session_status(request):
    """Seconds left before the session closes; asking does not extend it (see the middleware)."""
    return JsonResponse({"remaining": sessions.remaining_seconds(request.session)})


@require_POST
def session_keepalive(request):
    """« Rester connecté·e »: this request counts as activity."""
    request.session[sessions.SEEN_AT] = time.time()
    return JsonResponse({"remaining": sessions.remaining_seconds(request.session)})

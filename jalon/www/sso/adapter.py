"""Who may sign in with ProConnect, and the logout at ProConnect.

No self sign-up: a ProConnect identity signs in to the active Jalon account whose e-mail is the
identity's verified e-mail (case ignored), or opens the account a structure invited that e-mail
to. Anyone else gets a page in French that says whom to ask. Every sign-in and refusal is in
the audit journal, without the e-mail or the name.
"""

import logging
import secrets

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthError
from django.contrib.auth import get_user_model
from django.db import models
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from requests import RequestException

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.structures import actions as structure_actions
from jalon.structures.models import Invitation
from jalon.users.adapter import AccountAdapter as BaseAccountAdapter

from . import reauth
from .assurance import SESSION_KEY
from .provider import PROVIDER_ID, ProConnectAdapter

logger = logging.getLogger(__name__)

# SESSION_KEY: what the session keeps of a ProConnect sign-in: the raw ID token (ProConnect's
# logout needs it back as id_token_hint) and the assurance level. Its presence means "this
# session came from ProConnect"; the MFA rule reads its level (see assurance.py).
LOGOUT_STATE_SESSION_KEY = "proconnect_logout_state"


class Refusal(models.TextChoices):
    """Why a ProConnect sign-in was refused: one word each, counted in the journal."""

    UNKNOWN = "unknown", _("aucun compte ni invitation pour cette adresse")
    INACTIVE = "inactive", _("compte désactivé")
    NO_EMAIL = "no_email", _("adresse e-mail absente")
    UNVERIFIED = "unverified", _("adresse e-mail non vérifiée")
    OTHER_ACCOUNT = "other_account", _("identité déjà liée à un autre compte")
    PROTOCOL = "protocol", _("réponse de ProConnect invalide")
    CANCELLED = "cancelled", _("connexion annulée")
    REAUTH_OTHER_IDENTITY = "reauth_other_identity", _("ré-identification avec une autre identité")
    REAUTH_NOT_FRESH = "reauth_not_fresh", _("ré-identification sans nouvelle saisie")


def email_is_verified(flag, *, trust_provider: bool) -> bool:
    """ProConnect sends no ``email_verified``: its identity providers are the organisations'
    own directories, and it recommends the professional e-mail to match accounts. A provider
    that does send the claim is believed, so ``false`` is always refused."""
    if flag is None:
        return trust_provider
    return parse_bool_safely(flag) is True


def pending_invitation(email: str):
    """The newest invitation still open for this address, or None."""
    since = timezone.now() - Invitation.VALIDITY
    return (
        Invitation.objects.select_related("structure")
        .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, created_at__gt=since)
        .order_by("-created_at", "-id")
        .first()
    )


def refuse(request, reason: Refusal, *, user=None):
    record(
        action=Action.LOGIN_FAILED,
        structure=user.current_structure if user is not None else None,
        obj=user,
        detail=f"ProConnect : {reason.label}",
    )
    logger.info("ProConnect sign-in refused: %s", reason.value)
    response = render(request, "sso/refused.html", {"reason": reason, "Refusal": Refusal}, status=403)
    raise ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False  # accounts come from invitations; see pre_social_login

    def pre_social_login(self, request, sociallogin):
        claims = getattr(sociallogin, "proconnect", None)
        if sociallogin.account.provider != PROVIDER_ID or claims is None:
            refuse(request, Refusal.PROTOCOL)
        if reauth.is_reauthentication(sociallogin):
            # Before any matching by e-mail: only the linked identity of the signed-in user counts.
            reauth.complete(
                request,
                sociallogin,
                claims,
                refuse,
                mismatch=Refusal.REAUTH_OTHER_IDENTITY,
                stale=Refusal.REAUTH_NOT_FRESH,
            )
        email = claims["email"]
        if not email:
            refuse(request, Refusal.NO_EMAIL)
        trust = sociallogin.account.get_provider().app.settings.get("trust_email", True)
        if not email_is_verified(claims["email_verified"], trust_provider=trust):
            refuse(request, Refusal.UNVERIFIED)

        user = (
            get_user_model().objects.filter(email__iexact=email).select_related("current_structure").first()
        )
        if sociallogin.is_existing and (user is None or sociallogin.user.pk != user.pk):
            # This ProConnect identity was linked to another account, whose address then
            # changed on one side: someone must look before anyone signs in with it.
            refuse(request, Refusal.OTHER_ACCOUNT, user=sociallogin.user)
        if user is None:
            invitation = pending_invitation(email)
            if invitation is None:
                refuse(request, Refusal.UNKNOWN)
            user = structure_actions.create_account_from_invitation(
                invitation=invitation,
                first_name=claims["given_name"][:150],
                last_name=claims["usual_name"][:150],
                password=None,  # signs in through ProConnect; a password can be set later
            )
        elif not user.is_active:
            refuse(request, Refusal.INACTIVE, user=user)

        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        # Kept in the (serialised) state so that it survives a second-factor step.
        sociallogin.state["proconnect"] = {"id_token": claims["id_token"], "acr": claims["acr"]}

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # A wrong state or nonce, a bad signature, an unreachable provider or a cancel.
        logger.warning(
            "ProConnect sign-in failed: %s %s", error, type(exception).__name__ if exception else ""
        )
        refuse(request, Refusal.CANCELLED if error == AuthError.CANCELLED else Refusal.PROTOCOL)


def on_logged_in(sender, request, user, sociallogin=None, **kwargs):
    """allauth's user_logged_in: remember a ProConnect sign-in in the new session."""
    if sociallogin is None or sociallogin.account.provider != PROVIDER_ID:
        return
    data = sociallogin.state.get("proconnect") or {}
    request.session[SESSION_KEY] = {"id_token": data.get("id_token", ""), "acr": data.get("acr", "")}


class AccountAdapter(BaseAccountAdapter):
    """The project's account adapter, plus ProConnect's logout (RP-initiated logout)."""

    def get_logout_redirect_url(self, request):
        local = super().get_logout_redirect_url(request)
        session = request.session.get(SESSION_KEY)
        if not session or not session.get("id_token"):
            return local
        try:
            endpoint = ProConnectAdapter(request).openid_config.get("end_session_endpoint")
        except (RequestException, ValueError, KeyError, SocialApp.DoesNotExist) as error:
            logger.warning("ProConnect logout skipped: %s", type(error).__name__)
            return local
        if not endpoint:
            return local
        state = secrets.token_urlsafe(32)
        # Written in the new session once the old one is flushed (see logout below).
        request._proconnect_logout_state = state
        params = {
            "id_token_hint": session["id_token"],
            "state": state,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("proconnect_logout_done")),
        }
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

    def get_reauthentication_methods(self, user):
        methods = super().get_reauthentication_methods(user)
        entry = reauth.method(self.request, user) if self.request is not None else None
        if entry is None:
            return methods
        if reauth.prefers_proconnect(self.request, user):
            return [entry, *methods]
        return [*methods, entry]

    def logout(self, request):
        super().logout(request)
        state = getattr(request, "_proconnect_logout_state", None)
        if state:
            request.session[LOGOUT_STATE_SESSION_KEY] = state

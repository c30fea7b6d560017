"""Browser sessions: idle and absolute lifetime, and the second factor some roles must have.

Times are POSIX seconds in the session. The last request's time is written at most once a
minute (JALON_SESSION_TOUCH_SECONDS), so an ordinary page costs no session write.
"""

import time

from allauth.account.signals import password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.people.security import user_requires_mfa
from jalon.users.models import ApiToken
from jalon.www.sso.assurance import session_is_multi_factor

LOGIN_AT = "jalon_login_at"
SEEN_AT = "jalon_seen_at"
MFA_ENROLLED = "jalon_mfa_enrolled"
MFA_REQUIRED = "jalon_mfa_required"  # [bool, checked at]: the rule is asked again after RULE_TTL
RULE_TTL = 300


def _minutes(seconds: int) -> str:
    minutes = seconds // 60
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def expired(session, now: float | None = None) -> str:
    """Why the session is over (a French sentence for the login page), or ''."""
    now = time.time() if now is None else now
    seen_at, login_at = session.get(SEEN_AT), session.get(LOGIN_AT)
    if seen_at is not None and now - seen_at > settings.JALON_SESSION_IDLE_SECONDS:
        return (
            f"Vous avez été déconnecté·e après {_minutes(settings.JALON_SESSION_IDLE_SECONDS)} "
            "sans activité. Reconnectez-vous pour continuer."
        )
    if login_at is not None and now - login_at > settings.JALON_SESSION_MAX_SECONDS:
        return (
            f"Votre session a duré {_minutes(settings.JALON_SESSION_MAX_SECONDS)}, le maximum. "
            "Reconnectez-vous pour continuer."
        )
    return ""


def touch(session, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if session.get(LOGIN_AT) is None:
        session[LOGIN_AT] = now  # a session opened before these rules existed
    seen_at = session.get(SEEN_AT)
    if seen_at is None or now - seen_at >= settings.JALON_SESSION_TOUCH_SECONDS:
        session[SEEN_AT] = now


def remaining_seconds(session, now: float | None = None) -> int:
    """Seconds before the session closes if nothing happens (idle or absolute, the sooner)."""
    now = time.time() if now is None else now
    left = [settings.JALON_SESSION_IDLE_SECONDS - (now - session.get(SEEN_AT, now))]
    left.append(settings.JALON_SESSION_MAX_SECONDS - (now - session.get(LOGIN_AT, now)))
    return max(0, int(min(left)))


@receiver(user_logged_in, dispatch_uid="jalon_session_started")
def _session_started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session.pop(MFA_ENROLLED, None)
    request.session.pop(MFA_REQUIRED, None)


def must_enrol(request) -> bool:
    """True while this user must have a second factor and has none.

    Both answers are kept in the session: a page costs no query once the person is enrolled, or
    known not to need it (the rule is asked again after RULE_TTL, e.g. after a role change).
    A ProConnect sign-in at eidas2 or eidas3 already used two factors (jalon.www.sso.assurance).
    """
    session = request.session
    if session.get(MFA_ENROLLED) or session_is_multi_factor(session):
        return False
    cached = session.get(MFA_REQUIRED)
    fresh = bool(cached) and time.time() - cached[1] < RULE_TTL
    if fresh and not cached[0]:
        return False
    if is_mfa_enabled(request.user):
        session[MFA_ENROLLED] = True
        return False
    if fresh:
        return True
    required = user_requires_mfa(request.user)
    session[MFA_REQUIRED] = [required, time.time()]
    return required


@receiver(authenticator_added, dispatch_uid="jalon_mfa_added")
def _authenticator_added(sender, request, user, authenticator, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[MFA_ENROLLED] = True
    record(
        action=Action.ADMIN,
        actor=user,
        structure=getattr(request, "structure", None),
        obj=user,
        fields=["mfa"],
        detail=f"double authentification : {authenticator.get_type_display()} ajouté",
    )


@receiver(authenticator_removed, dispatch_uid="jalon_mfa_removed")
def _authenticator_removed(sender, request, user, authenticator, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_ENROLLED, None)
    record(
        action=Action.ADMIN,
        actor=user,
        structure=getattr(request, "structure", None),
        obj=user,
        fields=["mfa"],
        detail=f"double authentification : {authenticator.get_type_display()} retiré",
    )


@receiver(password_reset, dispatch_uid="jalon_password_reset_revokes_tokens")
def _password_reset(sender, request, user, **kwargs):
    """A reset means the password may have leaked: the API tokens go with it.

    Other browser sessions close by themselves: Django checks each session against a hash of
    the password (get_session_auth_hash), which the new password changes.
    """
    revoked = ApiToken.revoke_all(user=user)
    record(
        action=Action.ADMIN,
        actor=user,
        obj=user,
        fields=["password"],
        detail=f"mot de passe réinitialisé, {revoked} jeton(s) API révoqué(s)",
    )

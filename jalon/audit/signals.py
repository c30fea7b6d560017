from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .actions import record
from .models import Action


def _sign_in_method(request, user) -> str:
    """ "ProConnect" when the sign-in that just completed went through it (allauth keeps the
    session's sign-in steps for this user, newest last; a second factor comes after the first)."""
    from allauth.account.authentication import get_authentication_records

    if request is None or not hasattr(request, "session"):
        return ""
    for step in reversed(get_authentication_records(request, user)):
        if step.get("method") == "mfa":
            continue
        if step.get("method") == "socialaccount" and step.get("provider") == "proconnect":
            return "ProConnect"
        return ""
    return ""


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(
        action=Action.LOGIN,
        actor=user,
        structure=user.current_structure,
        obj=user,
        detail=_sign_in_method(request, user),
    )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted address is personal data: we only link the event to an existing account.
    email = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    record(
        action=Action.LOGIN_FAILED,
        structure=user.current_structure if user else None,
        obj=user,
        detail="compte existant" if user else "compte inconnu",
    )

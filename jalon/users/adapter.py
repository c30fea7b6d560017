import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from django.conf import settings

from .network import client_ip


def recently_authenticated(request) -> bool:
    """A login or a re-authentication (password, second factor) within the last minutes.

    allauth counts only explicit re-authentications; a login a minute ago proves as much.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    now = time.time()
    return any(
        now - record.get("at", 0) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
        for record in get_authentication_records(request, user)
    )


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by invitation from a structure, never by open sign-up."""

    # allauth's French catalogue lacks these.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": "Trop de tentatives de connexion échouées. "
        "Attendez quelques minutes, puis réessayez.",
    }

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # The login throttle keys on the same address as every other rate limit.
        return client_ip(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not (self.request is not None and recently_authenticated(self.request))

"""ProConnect's login and callback (allauth's OAuth2 views on our adapter), and the page
ProConnect sends people back to after its logout."""

import hmac

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect

from . import reauth
from .adapter import LOGOUT_STATE_SESSION_KEY
from .provider import ProConnectAdapter

_login = OAuth2LoginView.adapter_view(ProConnectAdapter)
_callback = OAuth2CallbackView.adapter_view(ProConnectAdapter)


@login_not_required
def oauth2_login(request):
    try:
        return _login(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None  # ProConnect is not configured on this instance


@login_not_required
def oauth2_callback(request):
    try:
        return _callback(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def logout_done(request):
    """Back from ProConnect's logout. The local session ended before we left; the state only
    tells whether ProConnect's side surely ended too."""
    expected = request.session.pop(LOGOUT_STATE_SESSION_KEY, "")
    received = request.GET.get("state", "")
    if expected and hmac.compare_digest(expected, received):
        messages.success(request, "Vous êtes déconnecté·e de Jalon et de ProConnect.")
    else:
        messages.info(request, "Vous êtes déconnecté·e de Jalon.")
    return redirect("account_login")


def reauthenticate(request):
    """The re-authentication step's ProConnect method (see reauth.py)."""
    return reauth.view(request)

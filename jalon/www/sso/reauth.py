"""Re-identification through ProConnect before a sensitive operation.

An account opened through ProConnect has no password, so allauth's re-authentication (which asks
for one) could never succeed for it. This method sends the person back to ProConnect with
``prompt=login`` (OpenID Connect Core 3.1.2.1: the provider asks for the credentials again
instead of reusing its single sign-on session; ProConnect lists it among its parameters).

``max_age=0`` is not sent: ProConnect documents it as "not yet implemented" and answers any
parameter outside its list with "Y000400 Bad Request". What max_age would guarantee is checked
here instead: the ID token's ``auth_time`` (always in ProConnect's ID tokens) must be at most
MAX_AUTH_AGE old, so a provider that ignored ``prompt=login`` and reused an old session is
refused rather than believed.

On return, the identity must be the ProConnect account linked to the signed-in Jalon user: then
a fresh authentication is recorded (allauth's authentication records, read by
recently_authenticated) and the suspended request resumes, as after a password. Any other
identity is refused (audit LOGIN_FAILED, fixed reason); the session and its user are unchanged.
"""

import time

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.reauthentication import resume_request
from allauth.account.utils import get_next_redirect_url
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jalon.audit.actions import record
from jalon.audit.models import Action

from .assurance import SESSION_KEY
from .provider import PROVIDER_ID

# Key of the allauth state's application data that marks a re-identification (its value: the
# pk of the user who asked, to be found again on return).
STATE_KEY = "reauthenticate"
# ProConnect must say the person typed their credentials just now (auth_time, seconds). A bit
# of slack for clock skew and the time spent on ProConnect's pages.
MAX_AUTH_AGE = 300


def is_configured(request) -> bool:
    return bool(get_social_adapter().list_apps(request, provider=PROVIDER_ID))


def is_linked(user) -> bool:
    return SocialAccount.objects.filter(user_id=user.pk, provider=PROVIDER_ID).exists()


def method(request, user) -> dict | None:
    """allauth's re-authentication method entry for ProConnect, or None if not available."""
    if not user.is_authenticated or not is_linked(user) or not is_configured(request):
        return None
    return {
        "id": "proconnect",
        "description": _("Se ré-identifier avec ProConnect"),
        "url": reverse("proconnect_reauthenticate"),
    }


def prefers_proconnect(request, user) -> bool:
    """ProConnect comes first for whoever has no password or signed in with ProConnect."""
    return not user.has_usable_password() or bool(request.session.get(SESSION_KEY))


def view(request):
    user = request.user
    entry = method(request, user)
    if entry is None:
        raise Http404
    next_url = get_next_redirect_url(request, REDIRECT_FIELD_NAME)
    if request.method == "POST":
        limited = ratelimit.consume_or_429(request, action="reauthenticate", user=user)
        if limited:
            return limited
        provider = get_social_adapter().get_provider(request, PROVIDER_ID)
        auth_params = {**provider.get_auth_params(), "prompt": "login"}
        return provider.redirect(
            request,
            AuthProcess.LOGIN,
            next_url=next_url,
            data={STATE_KEY: str(user.pk)},
            auth_params=auth_params,
        )
    adapter = get_account_adapter(request)
    alternatives = []
    for alt in adapter.get_reauthentication_methods(user):
        if alt["id"] == entry["id"]:
            continue
        url = alt["url"]
        if next_url:
            url = f"{url}?{QueryDict.fromkeys([REDIRECT_FIELD_NAME], next_url).urlencode()}"
        alternatives.append({**alt, "url": url})
    redirect_field = (
        format_html('<input type="hidden" name="{}" value="{}">', REDIRECT_FIELD_NAME, next_url)
        if next_url
        else ""
    )
    context = {"redirect_field": redirect_field, "reauthentication_alternatives": alternatives}
    return render(request, "sso/reauthenticate.html", context)


def is_fresh(auth_time, now: float | None = None) -> bool:
    """The person typed their credentials at ProConnect within MAX_AUTH_AGE seconds."""
    if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
        return False
    now = time.time() if now is None else now
    return -60 <= now - auth_time <= MAX_AUTH_AGE  # a minute of clock skew either way


def is_reauthentication(sociallogin) -> bool:
    return bool((sociallogin.state.get("data") or {}).get(STATE_KEY))


def complete(request, sociallogin, claims, refuse, *, mismatch, stale) -> None:
    """Back from ProConnect for a re-identification: always ends with a response (raised)."""
    user = request.user
    expected = (sociallogin.state.get("data") or {}).get(STATE_KEY)
    if (
        not user.is_authenticated
        or str(user.pk) != str(expected)
        or not sociallogin.is_existing
        or sociallogin.user.pk != user.pk
    ):
        # Someone else signed in at ProConnect: no switch of account, nothing recorded.
        refuse(request, mismatch, user=user if user.is_authenticated else None)
    if not is_fresh(claims.get("auth_time")):
        refuse(request, stale, user=user)  # ProConnect did not ask again (prompt ignored)
    record_authentication(
        request,
        user,
        "socialaccount",
        reauthenticated=True,
        provider=PROVIDER_ID,
        uid=sociallogin.account.uid,
    )
    # The newest ID token is the one ProConnect's logout expects; its level is now the session's.
    request.session[SESSION_KEY] = {"id_token": claims["id_token"], "acr": claims["acr"]}
    record(
        action=Action.LOGIN,
        actor=user,
        structure=user.current_structure,
        obj=user,
        detail="ProConnect : ré-identification",
    )
    raise ImmediateHttpResponse(resume(request, sociallogin.state.get("next")))


def resume(request, next_url: str | None):
    """allauth's resume of the suspended request (a POST replayed), as after a password."""
    adapter = get_account_adapter(request)
    query = QueryDict(mutable=True)
    if next_url and adapter.is_safe_url(next_url):
        query[REDIRECT_FIELD_NAME] = next_url
    request.GET = query
    response = resume_request(request)
    return response or HttpResponseRedirect(adapter.get_login_redirect_url(request))

"""ProConnect, the State's identity federation for professionals, as an allauth provider.

It is allauth's OpenID Connect provider with what ProConnect requires on top of the generic one
(its partner documentation, "implémentation technique"):

- a random ``nonce`` of at least 32 characters, kept in the session and checked against the
  ID token (allauth's generic provider sends none);
- a ``state`` of at least 32 characters (allauth's own is 16);
- no parameter ProConnect does not list (it answers "Bad Request" to PKCE or to anything added
  through the login URL), and ``acr_values`` (eidas1) when configured;
- the userinfo answer is a signed JWT (``application/jwt``), not JSON: its signature, issuer
  and audience are checked, and its ``sub`` must be the ID token's;
- ID tokens are checked against the provider's keys even though they come straight from the
  token endpoint, and only with asymmetric algorithms;
- the raw ID token is kept for the RP-initiated logout (``id_token_hint``).

It has its own provider id and URLs (``/comptes/proconnect/…``) because allauth's generic OIDC
views build their adapter themselves and so could not use this one.
"""

import hmac
import secrets
import time

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider,
    OpenIDConnectProviderAccount,
)
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.urls import reverse
from django.utils.http import urlencode

PROVIDER_ID = "proconnect"
NONCES_SESSION_KEY = "proconnect_nonces"
NONCE_TTL = 600  # seconds, as allauth's state
MAX_PENDING_NONCES = 10
# Asymmetric only: an HS256 token would be checked with the client secret, which we share.
SIGNING_ALGORITHMS = frozenset({"RS256", "ES256"})
# What a login keeps in SocialAccount.extra_data: how the person signed in, never who they are
# (names and e-mail already live on the user; the identity provider's copy would drift).
KEPT_CLAIMS = ("acr", "amr", "idp_id")


def remember_nonce(request, state_id: str, nonce: str) -> None:
    now = time.time()
    nonces = {
        key: value
        for key, value in (request.session.get(NONCES_SESSION_KEY) or {}).items()
        if now - value[1] < NONCE_TTL
    }
    nonces[state_id] = (nonce, now)
    # Abandoned attempts must not make the session grow without end.
    for key in sorted(nonces, key=lambda k: nonces[k][1])[:-MAX_PENDING_NONCES]:
        del nonces[key]
    request.session[NONCES_SESSION_KEY] = nonces


def pop_nonce(request, state_id: str) -> str | None:
    nonces = dict(request.session.get(NONCES_SESSION_KEY) or {})
    entry = nonces.pop(state_id, None)
    request.session[NONCES_SESSION_KEY] = nonces
    if entry is None or time.time() - entry[1] >= NONCE_TTL:
        return None
    return entry[0]


class ProConnectAccount(OpenIDConnectProviderAccount):
    def to_str(self):
        return "ProConnect"


class ProConnectAdapter(OpenIDConnectOAuth2Adapter):
    def __init__(self, request) -> None:
        super().__init__(request, PROVIDER_ID)

    def get_callback_url(self, request, app):
        return build_absolute_uri(request, reverse("proconnect_callback"), self.redirect_uri_protocol)

    def decode_jwt(self, app, raw: str) -> dict:
        """A JWT from ProConnect, signature, issuer, audience and expiry checked."""
        try:
            algorithm = jwt.get_unverified_header(raw).get("alg")
        except jwt.PyJWTError as error:
            raise OAuth2Error("unreadable JWT") from error
        if algorithm not in SIGNING_ALGORITHMS:
            raise OAuth2Error("unexpected JWT signing algorithm")
        return jwtkit.verify_and_decode(
            credential=raw,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )

    def fetch_userinfo(self, app, access_token: str) -> dict:
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/jwt":
            return self.decode_jwt(app, response.text.strip())
        return response.json()

    def complete_login(self, request, app, token, **kwargs):
        raw_id_token = kwargs["response"].get("id_token")
        if not raw_id_token:
            raise OAuth2Error("no ID token")
        id_token = self.decode_jwt(app, raw_id_token)
        # The state was already matched against the session by allauth; the nonce proves the ID
        # token was issued for this very attempt and is not replayed from another one.
        expected = pop_nonce(request, request.GET.get("state", ""))
        if not expected or not hmac.compare_digest(str(id_token.get("nonce", "")), expected):
            raise OAuth2Error("nonce mismatch")
        userinfo = self.fetch_userinfo(app, token.token)
        if str(userinfo.get("sub", "")) != str(id_token.get("sub", "")):
            raise OAuth2Error("userinfo sub differs from the ID token's")
        login = self.get_provider().sociallogin_from_response(
            request, {"userinfo": userinfo, "id_token": id_token}
        )
        # Not stored: read by the sign-in policy (jalon.www.sso.adapter) in this request only.
        login.proconnect = {
            "email": (userinfo.get("email") or "").strip(),
            "email_verified": userinfo.get("email_verified", id_token.get("email_verified")),
            "given_name": (userinfo.get("given_name") or "").strip(),
            "usual_name": (userinfo.get("usual_name") or userinfo.get("family_name") or "").strip(),
            "acr": str(id_token.get("acr") or ""),
            "auth_time": id_token.get("auth_time"),
            "id_token": raw_id_token,
        }
        return login


class ProConnectProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "ProConnect"
    account_class = ProConnectAccount
    oauth2_adapter_class = ProConnectAdapter

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = "ProConnect"

    def get_oauth2_adapter(self, request):
        return ProConnectAdapter(request)

    def get_login_url(self, request, **kwargs):
        url = reverse("proconnect_login")
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self):
        return reverse("proconnect_callback")

    def get_default_scope(self):
        return ["openid", "email", "given_name", "usual_name"]

    def get_scope_from_request(self, request):
        return self.get_scope()  # no scope added from the query string

    def get_auth_params_from_request(self, request, action):
        return self.get_auth_params()  # ProConnect refuses parameters it does not list

    def get_pkce_params(self) -> dict:
        return {}  # not among ProConnect's parameters: it would answer "Bad Request"

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        state_id = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        auth_params["nonce"] = nonce
        acr_values = self.app.settings.get("acr_values")
        if acr_values:
            auth_params["acr_values"] = acr_values
        remember_nonce(request, state_id, nonce)
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, state_id=state_id, **kwargs
        )

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        userinfo = data.get("userinfo") or {}
        fields["last_name"] = userinfo.get("usual_name") or fields.get("last_name")
        fields.pop("username", None)
        return fields

    def extract_extra_data(self, data):
        merged = {**(data.get("userinfo") or {}), **(data.get("id_token") or {})}
        return {key: merged[key] for key in KEPT_CLAIMS if key in merged}


provider_classes = [ProConnectProvider]

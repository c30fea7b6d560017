"""A small OpenID Connect provider for tests, shaped like ProConnect, on 127.0.0.1.

It serves discovery, JWKS, authorize (consents at once and redirects back with a code), token
(an ID token signed RS256 with a key made for the run), userinfo (a signed JWT, as ProConnect
answers) and end-session. It listens on a free loopback port and calls nothing itself.

Tests choose the identity it hands out (``provider.identity``) and can make it misbehave
(``provider.tamper``: another nonce in the ID token, another state in the redirect…). Every
request it receives is kept in ``provider.requests`` so tests can check what Jalon sent.
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CLIENT_ID = "jalon-test-client"
CLIENT_SECRET = "jalon-test-secret-" + "0" * 32


@dataclass
class Seen:
    path: str
    params: dict
    headers: dict


@dataclass
class OIDCProvider:
    identity: dict = field(default_factory=dict)
    tamper: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    acr: str = "eidas1"  # the assurance level the ID token states

    def __post_init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = f"{self.base_url}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- life cycle -----------------------------------------------------------------------
    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what tests read --------------------------------------------------------------------
    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    # --- protocol ---------------------------------------------------------------------------
    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "acr_values_supported": ["eidas1"],
            "scopes_supported": ["openid", "email", "given_name", "usual_name", "siret", "uid"],
        }

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict, key=None) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now - 1, "exp": now + 60, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def authorize(self, params: dict) -> str:
        """The redirect back to the client, as if the person had signed in and consented."""
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "nonce": params.get("nonce", ""),
            "redirect_uri": params["redirect_uri"],
            "auth_time": int(time.time()),  # the person "types their credentials" at each visit
        }
        state = self.tamper.get("state", params.get("state", ""))
        return f"{params['redirect_uri']}?{urlencode({'code': code, 'state': state})}"

    def token(self, params: dict) -> tuple[int, dict]:
        grant = self.codes.pop(params.get("code", ""), None)
        if (
            grant is None
            or params.get("client_id") != CLIENT_ID
            or params.get("client_secret") != CLIENT_SECRET
            or params.get("redirect_uri") != grant["redirect_uri"]
        ):
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = dict(self.identity)
        claims = {
            "sub": self.identity["sub"],
            "nonce": self.tamper.get("nonce", grant["nonce"]),
            "acr": self.acr,
            "auth_time": self.tamper.get("auth_time", grant["auth_time"]),
            "amr": ["pwd"],
            "idp_id": "fi-test",
        }
        foreign_key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if self.tamper.get("foreign_key")
            else None
        )
        id_token = self.sign(claims, key=foreign_key)
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": id_token,
        }

    def userinfo(self, headers) -> tuple[int, str]:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        identity = self.tokens.pop(token, None)
        if identity is None:
            return 401, ""
        return 200, self.sign(identity)


def keep_requests_on_loopback(monkeypatch) -> None:
    """Make any HTTP call through requests (allauth's client) fail unless it goes to loopback."""
    original = requests.Session.request

    def guarded(self, method, url, *args, **kwargs):
        host = urlsplit(url).hostname
        assert host in LOOPBACK, f"outbound request to {host}"
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", guarded)


def _handler_for(provider: OIDCProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def _record(self, params):
            path = urlsplit(self.path).path.removeprefix("/api/v2")
            provider.requests.append(Seen(path=path, params=params, headers=dict(self.headers)))
            return path

        def _send(self, status, body=b"", content_type="application/json", location=None):
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            path = self._record(params)
            if path == "/.well-known/openid-configuration":
                self._send(200, json.dumps(provider.discovery()).encode())
            elif path == "/jwks":
                self._send(200, json.dumps(provider.jwks()).encode())
            elif path == "/authorize":
                self._send(302, location=provider.authorize(params), content_type="text/plain")
            elif path == "/userinfo":
                status, body = provider.userinfo(self.headers)
                self._send(status, body.encode(), content_type="application/jwt")
            elif path == "/session/end":
                target = (
                    f"{params['post_logout_redirect_uri']}?{urlencode({'state': params.get('state', '')})}"
                )
                self._send(303, location=target, content_type="text/plain")
            else:
                self._send(404, b"{}")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            params = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = self._record(params)
            if path == "/token":
                status, body = provider.token(params)
                self._send(status, json.dumps(body).encode())
            else:
                self._send(404, b"{}")

    return Handler

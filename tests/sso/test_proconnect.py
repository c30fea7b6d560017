"""Sign-in with ProConnect against the test provider of tests/oidc_provider.py (loopback only)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from jalon.audit.models import Action, AuditEvent
from jalon.structures import actions as structure_actions
from jalon.structures.models import Invitation, Membership, Role
from jalon.users.models import User
from jalon.www.sso.adapter import Refusal, email_is_verified
from jalon.www.sso.provider import KEPT_CLAIMS

from ..oidc_provider import CLIENT_SECRET
from .conftest import configure

LOGIN_URL = "/comptes/proconnect/login/"
# ProConnect answers "Bad Request" to any authorize parameter outside its list.
PROCONNECT_PARAMETERS = {"response_type", "client_id", "redirect_uri", "scope", "claims", "state", "nonce"}
PROCONNECT_PARAMETERS |= {"prompt", "idp_hint", "acr_values", "login_hint"}


def identity(email, **extra):
    return {
        "sub": "sub-" + email.lower(),
        "email": email,
        "given_name": "Camille",
        "usual_name": "Martin",
        **extra,
    }


def sign_in(client, oidc, who: dict, tamper: dict | None = None):
    """Click the button, let the provider answer, come back: the callback's response."""
    oidc.identity, oidc.tamper = who, tamper or {}
    start = client.post(LOGIN_URL)
    assert start.status_code == 302, start.content[:300]
    assert start["Location"].startswith(f"{oidc.issuer}/authorize?")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "trust", "verified"),
    [
        (True, False, True),
        ("true", False, True),
        (False, True, False),
        ("false", True, False),
        (None, True, True),  # ProConnect: no claim, the federation vouches for the address
        (None, False, False),
    ],
)
def test_email_is_verified(flag, trust, verified):
    assert email_is_verified(flag, trust_provider=trust) is verified


# --- configuration ----------------------------------------------------------------------------


def test_without_configuration_no_button_and_no_provider(client, db):
    page = client.get("/comptes/login/")
    assert page.status_code == 200
    assert "ProConnect" not in page.content.decode()
    assert client.post(LOGIN_URL).status_code == 404


def test_configured_login_page_shows_the_button(client, db, proconnect):
    html = client.get("/comptes/login/").content.decode()
    assert 'action="/comptes/proconnect/login/"' in html
    assert "S’identifier avec</span> <span" in html
    assert "Qu’est-ce que ProConnect ?" in html


def test_login_url_opened_by_a_link_asks_before_leaving(client, db, proconnect):
    page = client.get(LOGIN_URL)
    assert page.status_code == 200
    assert "Continuer vers ProConnect" in page.content.decode()
    assert not proconnect.seen("/authorize")  # nothing leaves on a GET (no login CSRF)


# --- sign-in ----------------------------------------------------------------------------------


def test_known_user_signs_in_by_email_case_ignored(
    client, personas, proconnect, django_assert_max_num_queries
):
    user = personas.case_worker_a.user
    response = sign_in(client, proconnect, identity("CIP.A@Example.ORG"))

    assert response.status_code == 302 and response["Location"] == "/"
    assert str(logged_in_user_id(client)) == str(user.pk)
    assert client.get("/").status_code == 200

    authorize = proconnect.seen("/authorize")[0].params
    assert set(authorize) <= PROCONNECT_PARAMETERS
    assert len(authorize["state"]) >= 32 and len(authorize["nonce"]) >= 32
    assert set(authorize["scope"].split()) == {"openid", "email", "given_name", "usual_name"}
    assert authorize["acr_values"] == "eidas1"
    assert authorize["redirect_uri"] == "http://testserver/comptes/proconnect/login/callback/"
    token = proconnect.seen("/token")[0].params
    assert token["client_secret"] == CLIENT_SECRET  # client_secret_post, as ProConnect expects

    login = AuditEvent.objects.filter(action=Action.LOGIN, actor=user).get()
    assert login.detail == "ProConnect"
    account = SocialAccount.objects.get(user=user, provider="proconnect")
    assert set(account.extra_data) <= set(KEPT_CLAIMS)  # how, never who
    assert "cip.a" not in str(account.extra_data).lower()
    assert client.session["proconnect"]["acr"] == "eidas1"

    # The second time goes through the linked account, with the same rules (one more query since
    # the login also records the MFA rule and the session clock: 41 measured).
    client.logout()
    with django_assert_max_num_queries(42):
        again = sign_in(client, proconnect, identity("cip.a@example.org"))
    assert again["Location"] == "/"
    assert SocialAccount.objects.filter(provider="proconnect").count() == 1


def test_password_login_is_not_marked_proconnect(client, personas):
    from ..conftest import PASSWORD

    client.post("/comptes/login/", {"login": "cip.a@example.org", "password": PASSWORD})
    assert AuditEvent.objects.get(action=Action.LOGIN).detail == ""


def _assert_refused(response, text: str, reason: Refusal, client):
    assert response.status_code == 403
    html = response.content.decode()
    assert text in html
    assert "Revenir à la page de connexion" in html
    assert logged_in_user_id(client) is None
    event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("id")
    assert event.detail == f"ProConnect : {reason.label}"
    return event


def test_unknown_email_is_refused_with_whom_to_ask(client, personas, proconnect):
    response = sign_in(client, proconnect, identity("inconnue@example.org"))
    event = _assert_refused(
        response, "Demandez à l’administrateur·rice Jalon de votre structure", Refusal.UNKNOWN, client
    )
    assert event.actor is None and "inconnue" not in event.detail
    assert not User.objects.filter(email__iexact="inconnue@example.org").exists()
    assert not SocialAccount.objects.exists()


def test_unverified_email_is_refused(client, personas, proconnect):
    response = sign_in(client, proconnect, identity("cip.a@example.org", email_verified=False))
    _assert_refused(response, "pas transmis d’adresse e-mail vérifiée", Refusal.UNVERIFIED, client)
    assert not SocialAccount.objects.exists()


def test_email_without_claim_is_refused_when_the_provider_is_not_trusted(client, personas, settings, oidc):
    configure(settings, oidc, trust_email=False)
    response = sign_in(client, oidc, identity("cip.a@example.org"))
    _assert_refused(response, "pas transmis d’adresse e-mail vérifiée", Refusal.UNVERIFIED, client)


def test_missing_email_is_refused(client, personas, proconnect):
    response = sign_in(client, proconnect, {"sub": "sans-adresse", "given_name": "A", "usual_name": "B"})
    _assert_refused(response, "pas transmis d’adresse e-mail vérifiée", Refusal.NO_EMAIL, client)


def test_inactive_account_is_refused(client, personas, proconnect):
    user = personas.case_worker_a.user
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = sign_in(client, proconnect, identity("cip.a@example.org"))
    event = _assert_refused(response, "Votre compte Jalon est désactivé", Refusal.INACTIVE, client)
    assert event.object_id == str(user.pk)


def test_pending_invitation_opens_the_account(client, personas, proconnect):
    structure_actions.invite(
        structure=personas.structure_a,
        actor=personas.admin_a.user,
        email="nouvelle@example.org",
        role=Role.TRAINER,
    )
    response = sign_in(client, proconnect, identity("Nouvelle@example.org"))

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="nouvelle@example.org")
    assert str(logged_in_user_id(client)) == str(user.pk)
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.structure, membership.role) == (personas.structure_a, Role.TRAINER)
    assert Invitation.objects.get(email="nouvelle@example.org").accepted_at is not None
    assert user.current_structure == personas.structure_a


@pytest.mark.parametrize("spoil", ["revoked", "expired"])
def test_closed_invitation_opens_nothing(client, personas, proconnect, spoil):
    invitation = structure_actions.invite(
        structure=personas.structure_a,
        actor=personas.admin_a.user,
        email="nouvelle@example.org",
        role=Role.TRAINER,
    )
    if spoil == "revoked":
        invitation.revoked_at = timezone.now()
    else:
        invitation.created_at = timezone.now() - Invitation.VALIDITY
    invitation.save()
    response = sign_in(client, proconnect, identity("nouvelle@example.org"))
    _assert_refused(response, "aucune invitation n’est en attente", Refusal.UNKNOWN, client)
    assert not User.objects.filter(email="nouvelle@example.org").exists()


def test_identity_linked_to_another_account_is_refused(client, personas, proconnect):
    sign_in(client, proconnect, identity("cip.a@example.org", sub="same-sub"))
    client.logout()
    # The identity provider now gives this person another address, which is another account.
    response = sign_in(client, proconnect, identity("coord.a@example.org", sub="same-sub"))
    _assert_refused(response, "déjà liée à un autre compte", Refusal.OTHER_ACCOUNT, client)


# --- protocol ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        {"nonce": "x" * 43},  # an ID token made for another attempt
        {"state": "y" * 43},  # a callback this browser never asked for
        {"foreign_key": True},  # an ID token not signed by the provider's keys
    ],
    ids=["nonce", "state", "signature"],
)
def test_protocol_mismatch_is_refused(client, personas, proconnect, tamper):
    response = sign_in(client, proconnect, identity("cip.a@example.org"), tamper=tamper)
    _assert_refused(
        response, "Nous n’avons pas pu vérifier la réponse de ProConnect", Refusal.PROTOCOL, client
    )
    assert not SocialAccount.objects.exists()


def test_replayed_callback_is_refused(client, personas, proconnect):
    proconnect.identity = identity("cip.a@example.org")
    start = client.post(LOGIN_URL)
    back = urlsplit(requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"])
    assert client.get(f"{back.path}?{back.query}")["Location"] == "/"
    client.logout()
    replay = client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 403 and logged_in_user_id(client) is None


def test_cancel_at_the_provider_is_explained(client, personas, proconnect):
    start = client.post(LOGIN_URL)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(f"/comptes/proconnect/login/callback/?error=access_denied&state={state}")
    assert response.status_code == 403
    assert "Vous avez annulé la connexion avec ProConnect" in response.content.decode()


# --- logout -----------------------------------------------------------------------------------


def test_logout_ends_the_proconnect_session_too(client, personas, proconnect):
    sign_in(client, proconnect, identity("cip.a@example.org"))
    id_token = client.session["proconnect"]["id_token"]

    response = client.post("/comptes/logout/")
    assert logged_in_user_id(client) is None
    target = urlsplit(response["Location"])
    assert f"http://{target.netloc}{target.path}" == f"{proconnect.issuer}/session/end"
    params = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert params["id_token_hint"] == id_token
    assert len(params["state"]) >= 32
    assert params["post_logout_redirect_uri"] == "http://testserver/comptes/proconnect/deconnexion/"

    back = urlsplit(requests.get(response["Location"], allow_redirects=False, timeout=5).headers["Location"])
    done = client.get(f"{back.path}?{back.query}", follow=True)
    assert "Vous êtes déconnecté·e de Jalon et de ProConnect." in done.content.decode()


def test_logout_after_a_password_login_stays_local(client, personas, proconnect):
    from ..conftest import PASSWORD

    client.post("/comptes/login/", {"login": "cip.a@example.org", "password": PASSWORD})
    response = client.post("/comptes/logout/")
    assert response["Location"] == "/comptes/login/"
    assert not proconnect.seen("/session/end")


def test_logout_return_with_a_wrong_state_says_only_jalon(client, db):
    done = client.get("/comptes/proconnect/deconnexion/?state=faux", follow=True)
    html = done.content.decode()
    assert "Vous êtes déconnecté·e de Jalon." in html and "et de ProConnect" not in html


def test_the_loopback_guard_stops_calls_beyond_the_machine():
    with pytest.raises(AssertionError, match="outbound request to proconnect.gouv.fr"):
        requests.get("https://proconnect.gouv.fr/", timeout=1)


def test_half_a_configuration_stops_the_start_with_a_clear_message(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(settings_module_root()),
        "SECRET_KEY": "x" * 50,
        "JALON_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWphbG9uLWVuY3J5cHRpb24ta2V5LTA=",
        "JALON_VAR_DIR": str(tmp_path),
        "PROCONNECT_SERVER_URL": "https://proconnect.example/api/v2",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import jalon.settings"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert (
        "PROCONNECT_SERVER_URL, PROCONNECT_CLIENT_ID et PROCONNECT_CLIENT_SECRET se définissent ensemble"
        in (result.stderr)
    )


def settings_module_root():
    import jalon

    return Path(jalon.__file__).resolve().parent.parent

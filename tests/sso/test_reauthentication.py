"""Re-identification through ProConnect, and what a ProConnect sign-in makes of the MFA rule.

Against the loopback provider of tests/oidc_provider.py.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.internal.flows.login import get_authentication_records
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY

from jalon.audit.models import Action, AuditEvent
from jalon.users.models import ApiToken, User
from jalon.www.sso import reauth
from jalon.www.sso.adapter import Refusal
from jalon.www.sso.assurance import is_multi_factor, session_is_multi_factor

from ..conftest import PASSWORD, mark_recent_login
from .test_proconnect import PROCONNECT_PARAMETERS, identity, sign_in

REAUTH = "/comptes/reauthenticate/"
PROCONNECT_REAUTH = "/comptes/proconnect/reidentification/"
BUTTON_TEXT = "Se ré-identifier avec"


def stale(client, user):
    """The sign-in happened 11 minutes ago: sensitive operations ask again."""
    mark_recent_login(client, user, at=time.time() - 11 * 60)


def proconnect_user(client, personas, proconnect, *, password: bool = False):
    """The case worker of structure A, signed in with ProConnect (an account without password)."""
    user = personas.case_worker_a.user
    if not password:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    assert sign_in(client, proconnect, identity("cip.a@example.org"))["Location"] == "/"
    stale(client, user)
    return user


def go_to_provider(client, proconnect, start_url: str, data: dict | None = None):
    """Post the ProConnect button of the re-authentication page, answer at the provider and
    come back: the callback's response."""
    start = client.post(start_url, data or {})
    assert start.status_code == 302 and start["Location"].startswith(f"{proconnect.issuer}/authorize?")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


# --- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acr", "multi"),
    [
        ("eidas1", False),
        ("eidas2", True),
        ("eidas3", True),
        (" eidas2 ", True),
        ("", False),
        (None, False),
        ("eidas", False),
        ("EIDAS2", False),  # ProConnect's values are lower case: nothing is guessed
    ],
)
def test_which_proconnect_levels_are_multi_factor(acr, multi):
    assert is_multi_factor(acr) is multi


def test_a_session_without_proconnect_is_not_multi_factor():
    assert not session_is_multi_factor({})
    assert not session_is_multi_factor({"proconnect": {"acr": "eidas1"}})
    assert session_is_multi_factor({"proconnect": {"id_token": "x", "acr": "eidas3"}})


@pytest.mark.parametrize(
    ("age", "fresh"),
    [
        (0, True),
        (reauth.MAX_AUTH_AGE - 5, True),
        (reauth.MAX_AUTH_AGE + 5, False),
        (-30, True),
        (-120, False),
    ],
)
def test_auth_time_must_be_recent(age, fresh):
    now = 1_800_000_000
    assert reauth.is_fresh(now - age, now=now) is fresh


@pytest.mark.parametrize("value", [None, "1800000000", True, [1]])
def test_auth_time_missing_or_malformed_is_not_fresh(value):
    assert not reauth.is_fresh(value, now=1_800_000_000)


# --- re-identification ------------------------------------------------------------------------


def test_account_without_password_reidentifies_with_proconnect_and_resumes(
    client, personas, person_a, proconnect, django_assert_max_num_queries
):
    user = proconnect_user(client, personas, proconnect)
    url = f"/personnes/{person_a.pk}/sensible/"

    # No password to ask for: allauth sends the person to its first method, ProConnect.
    page = client.get(url)
    assert page.status_code == 302 and page["Location"].startswith(PROCONNECT_REAUTH)
    # Its password page too (the htmx path of require_recent_login lands there).
    assert client.get(f"{REAUTH}?next={url}")["Location"] == page["Location"]
    html = client.get(page["Location"]).content.decode()
    assert BUTTON_TEXT in html and 'name="password"' not in html
    next_url = parse_qs(urlsplit(page["Location"]).query)["next"][0]
    assert next_url == url

    with django_assert_max_num_queries(40):
        back = go_to_provider(client, proconnect, PROCONNECT_REAUTH, {"next": next_url})
    assert back.status_code == 302 and back["Location"] == url

    authorize = proconnect.seen("/authorize")[-1].params
    assert authorize["prompt"] == "login"  # ProConnect asks for the credentials again
    assert "max_age" not in authorize  # not implemented by ProConnect: it would answer Bad Request
    assert set(authorize) <= PROCONNECT_PARAMETERS

    assert str(client.session[SESSION_KEY]) == str(user.pk)  # same session, same user
    last = get_authentication_records(_request_for(client), user)[-1]
    assert last["method"] == "socialaccount" and last["reauthenticated"] is True
    assert last["provider"] == "proconnect"
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action=Action.READ_SENSITIVE, person=person_a).exists()
    event = AuditEvent.objects.filter(action=Action.LOGIN, actor=user).latest("id")
    assert event.detail == "ProConnect : ré-identification"


def _request_for(client):
    """A request object carrying the client's session, for allauth's record readers."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_suspended_form_is_replayed_after_proconnect(client, personas, proconnect):
    user = proconnect_user(client, personas, proconnect)
    form = {"name": "tableur", "scope": "read", "lifetime": "90"}
    response = client.post("/compte/jetons/", form)
    assert response.status_code == 302 and response["Location"].startswith(PROCONNECT_REAUTH)
    assert not ApiToken.objects.exists()
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]

    resumed = go_to_provider(client, proconnect, PROCONNECT_REAUTH, {"next": next_url})
    # allauth replays the suspended submission once the identity is confirmed.
    assert resumed.status_code == 200
    assert ApiToken.objects.filter(user=user, name="tableur").count() == 1


def test_another_identity_coming_back_is_refused_and_switches_nothing(client, personas, person_a, proconnect):
    user = proconnect_user(client, personas, proconnect)
    # Another Jalon user's ProConnect identity, linked to their own account.
    other = personas.coordinator_a.user
    SocialAccount.objects.create(user=other, provider="proconnect", uid="sub-other")
    url = f"/personnes/{person_a.pk}/sensible/"
    client.get(url)

    proconnect.identity = identity(other.email, sub="sub-other")
    response = go_to_provider(client, proconnect, PROCONNECT_REAUTH, {"next": url})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Ré-identification impossible" in html and "autre compte" in html
    assert str(client.session[SESSION_KEY]) == str(user.pk)  # still the same user
    event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("id")
    assert event.detail == f"ProConnect : {Refusal.REAUTH_OTHER_IDENTITY.label}"
    assert other.email not in event.detail
    assert client.get(url).status_code == 302  # still not recently authenticated
    assert not AuditEvent.objects.filter(action=Action.READ_SENSITIVE).exists()


def test_an_unknown_identity_coming_back_is_refused(client, personas, person_a, proconnect):
    user = proconnect_user(client, personas, proconnect)
    proconnect.identity = identity("inconnue@example.org")
    response = go_to_provider(client, proconnect, PROCONNECT_REAUTH)
    assert response.status_code == 403
    assert str(client.session[SESSION_KEY]) == str(user.pk)
    assert not User.objects.filter(email="inconnue@example.org").exists()
    event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("id")
    assert event.detail == f"ProConnect : {Refusal.REAUTH_OTHER_IDENTITY.label}"


def test_an_old_proconnect_session_does_not_count(client, personas, person_a, proconnect):
    """ProConnect ignored prompt=login and reused a sign-in of an hour ago: refused."""
    proconnect_user(client, personas, proconnect)
    url = f"/personnes/{person_a.pk}/sensible/"
    proconnect.tamper = {"auth_time": int(time.time()) - 3600}
    response = go_to_provider(client, proconnect, PROCONNECT_REAUTH, {"next": url})
    assert response.status_code == 403
    event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("id")
    assert event.detail == f"ProConnect : {Refusal.REAUTH_NOT_FRESH.label}"
    assert client.get(url).status_code == 302


def test_password_user_signed_in_with_proconnect_gets_it_first_and_password_as_alternative(
    client, personas, person_a, proconnect
):
    proconnect_user(client, personas, proconnect, password=True)
    url = f"/personnes/{person_a.pk}/sensible/"
    page = client.get(url)
    assert page.status_code == 302 and page["Location"].startswith(PROCONNECT_REAUTH)
    html = client.get(page["Location"]).content.decode()
    assert BUTTON_TEXT in html
    assert f'href="{REAUTH}?next=%2Fpersonnes%2F{person_a.pk}%2Fsensible%2F"' in html  # the password


def test_password_login_with_a_linked_identity_offers_proconnect_as_alternative(client, personas, proconnect):
    user = personas.case_worker_a.user
    SocialAccount.objects.create(user=user, provider="proconnect", uid="sub-cip.a@example.org")
    client.post("/comptes/login/", {"login": "cip.a@example.org", "password": PASSWORD})
    stale(client, user)
    html = client.get(f"{REAUTH}?next=/compte/jetons/").content.decode()
    assert 'name="password"' in html
    assert "Se ré-identifier avec ProConnect" in html
    assert f"{PROCONNECT_REAUTH}?next=%2Fcompte%2Fjetons%2F" in html


def test_no_proconnect_method_without_a_linked_identity(client, personas, proconnect):
    client = personas.client_for(personas.case_worker_a)
    stale(client, personas.case_worker_a.user)
    html = client.get(f"{REAUTH}?next=/compte/jetons/").content.decode()
    assert "ProConnect" not in html
    assert client.get(PROCONNECT_REAUTH).status_code == 404
    assert client.post(PROCONNECT_REAUTH).status_code == 404
    assert not proconnect.seen("/authorize")


def test_no_proconnect_method_when_proconnect_is_not_configured(client, personas):
    user = personas.case_worker_a.user
    SocialAccount.objects.create(user=user, provider="proconnect", uid="sub-x")
    client = personas.client_for(personas.case_worker_a)
    assert client.get(PROCONNECT_REAUTH).status_code == 404


def test_a_plain_proconnect_login_while_signed_in_is_not_a_reidentification(client, personas, proconnect):
    """Only the state stashed by the re-identification page counts: the sign-in button does not
    record a re-authentication for the current session's user by the back door."""
    user = proconnect_user(client, personas, proconnect)
    before = len(get_authentication_records(_request_for(client), user))
    sign_in(client, proconnect, identity("cip.a@example.org"))
    records = get_authentication_records(_request_for(client), user)
    assert not any(r.get("reauthenticated") for r in records[before:])


# --- MFA --------------------------------------------------------------------------------------


@pytest.fixture
def mfa_required(settings):
    settings.JALON_MFA_REQUIRED = True


@pytest.mark.parametrize("acr", ["eidas2", "eidas3"])
def test_proconnect_multi_factor_sign_in_satisfies_the_mfa_rule(
    client, personas, proconnect, mfa_required, acr
):
    proconnect.acr = acr
    response = sign_in(client, proconnect, identity("coord.a@example.org"))
    assert response.status_code == 302
    assert client.session["proconnect"]["acr"] == acr
    page = client.get("/")
    assert page.status_code == 200  # no enrolment forced


def test_proconnect_single_factor_sign_in_is_sent_to_enrolment(client, personas, proconnect, mfa_required):
    proconnect.acr = "eidas1"
    sign_in(client, proconnect, identity("coord.a@example.org"))
    page = client.get("/")
    assert page.status_code == 302 and page["Location"] == "/comptes/2fa/totp/activate/"


def test_reidentification_at_eidas2_lifts_the_enrolment(client, personas, proconnect, mfa_required):
    """The level of the newest ProConnect authentication is the session's."""
    proconnect.acr = "eidas1"
    sign_in(client, proconnect, identity("coord.a@example.org"))
    assert client.get("/").status_code == 302
    proconnect.acr = "eidas2"
    back = go_to_provider(client, proconnect, PROCONNECT_REAUTH, {"next": "/"})
    assert back.status_code == 302 and back["Location"] == "/"
    assert client.get("/").status_code == 200


def test_proconnect_single_factor_sign_in_asks_the_jalon_second_factor_once_enrolled(
    client, personas, proconnect, mfa_required
):
    from ..auth.test_mfa import enrol

    enrol(personas.coordinator_a.user)
    proconnect.acr = "eidas1"
    response = sign_in(client, proconnect, identity("coord.a@example.org"))
    assert response.status_code == 302 and response["Location"] == "/comptes/2fa/authenticate/"
    assert SESSION_KEY not in client.session  # not signed in before the second factor

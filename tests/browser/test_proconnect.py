"""Sign-in with ProConnect in a real browser, against the loopback provider of tests/oidc_provider.py."""

import re

import pytest
from playwright.sync_api import expect

from jalon.audit.models import Action, AuditEvent
from jalon.settings import proconnect_app

from ..oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider, keep_requests_on_loopback
from .conftest import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = re.compile(r"^S.identifier avec ProConnect$")


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch):
    """Jalon's own calls stay on 127.0.0.1 too (the browser is held there by conftest)."""
    keep_requests_on_loopback(monkeypatch)


@pytest.fixture
def oidc(settings):
    provider = OIDCProvider().start()
    app = proconnect_app(server_url=provider.issuer, client_id=CLIENT_ID, secret=CLIENT_SECRET)
    settings.SOCIALACCOUNT_PROVIDERS = {"proconnect": {"APPS": [app]}}
    yield provider
    provider.stop()


def test_sign_in_with_proconnect_lands_on_the_home_page(page, live_server, personas, oidc):
    oidc.identity = {
        "sub": "abc",
        "email": "CIP.A@example.org",
        "given_name": "Camille",
        "usual_name": "Martin",
    }
    page.goto(f"{live_server.url}/comptes/login/")
    check_page(page)
    link = page.get_by_role("link", name="Qu’est-ce que ProConnect ?")
    expect(link).to_have_attribute("target", "_blank")

    page.get_by_role("button", name=BUTTON).click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Association A — ")).to_be_visible()
    check_page(page)
    assert [r.path for r in oidc.requests if r.path in {"/authorize", "/token", "/userinfo"}] == [
        "/authorize",
        "/token",
        "/userinfo",
    ]
    assert AuditEvent.objects.get(action=Action.LOGIN).detail == "ProConnect"


def test_unknown_address_gets_the_french_refusal_page(page, live_server, personas, oidc):
    oidc.identity = {"sub": "xyz", "email": "inconnue@example.org", "given_name": "A", "usual_name": "B"}
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("button", name=BUTTON).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion avec ProConnect impossible")
    expect(page.get_by_text("Demandez à l’administrateur·rice Jalon de votre structure")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Revenir à la page de connexion").click()
    page.wait_for_url(f"{live_server.url}/comptes/login/")


def test_button_at_phone_width_and_by_keyboard(phone_page, live_server, personas, oidc):
    page = phone_page
    oidc.identity = {
        "sub": "abc",
        "email": "cip.a@example.org",
        "given_name": "Camille",
        "usual_name": "Martin",
    }
    page.goto(f"{live_server.url}/comptes/login/")
    check_page(page)  # axe-core and no sideways scrolling at 360 px
    page.get_by_role("button", name=BUTTON).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_no_button_when_proconnect_is_not_configured(page, live_server, personas):
    page.goto(f"{live_server.url}/comptes/login/")
    expect(page.get_by_role("button", name=BUTTON)).to_have_count(0)
    expect(page.get_by_role("button", name="Se connecter", exact=True)).to_be_visible()


def test_account_without_password_reidentifies_with_proconnect(page, live_server, personas, person_a, oidc):
    """The round trip: sensitive notes after 10 minutes → ProConnect (prompt=login) → back to
    the notes, in the same session, for an account that has no password to type."""
    import time

    from allauth.account.internal.flows import login as allauth_login
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    user = personas.case_worker_a.user
    user.set_unusable_password()
    user.save(update_fields=["password"])
    oidc.identity = {"sub": "abc", "email": "cip.a@example.org", "given_name": "C", "usual_name": "M"}
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("button", name=BUTTON).click()
    page.wait_for_url(f"{live_server.url}/")

    # Eleven minutes later (the sign-in's authentication record is made older).
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    records = session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY]
    session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": time.time() - 11 * 60} for record in records
    ]
    session.save()

    notes = f"{live_server.url}/personnes/{person_a.pk}/sensible/"
    page.goto(notes)
    page.wait_for_url(re.compile(r"/comptes/proconnect/reidentification/\?next="))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page)
    page.get_by_role("button", name=re.compile(r"^Se ré-identifier avec ProConnect$")).click()

    page.wait_for_url(notes)
    check_page(page)
    authorize = [r for r in oidc.requests if r.path == "/authorize"][-1].params
    assert authorize["prompt"] == "login"
    assert AuditEvent.objects.filter(action=Action.READ_SENSITIVE, person=person_a).exists()
    assert AuditEvent.objects.filter(action=Action.LOGIN, detail="ProConnect : ré-identification").exists()

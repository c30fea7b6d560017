"""Two-factor authentication in a real browser: forced enrolment, TOTP login, recovery codes."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from ..conftest import PASSWORD
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def totp(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows (RFC 6238, 30-second steps), computed here."""
    return format_hotp_value(hotp_value(secret, int((time.time() if at is None else at) // 30)))


def wait_for_next_code_window() -> None:
    # A code is accepted once: the second login needs the next one.
    time.sleep(30 - time.time() % 30 + 0.5)


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def log_out(page) -> None:
    page.get_by_role("button", name="Compte").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/comptes/login/"))


def test_coordinator_enrols_then_logs_in_with_a_code_and_a_recovery_code(
    page, live_server, personas, settings
):
    settings.JALON_MFA_REQUIRED = True
    email = personas.coordinator_a.user.email

    # First login: sent to the setup, nothing else opens.
    log_in(page, live_server, email)
    expect(page).to_have_url(re.compile(r"/comptes/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    assert_accessible(page)
    page.goto(f"{live_server.url}/personnes/")
    expect(page).to_have_url(re.compile(r"/comptes/2fa/totp/activate/$"))

    secret = page.locator("#cle-totp").inner_text().strip()
    page.get_by_label("Code à 6 chiffres").fill("000000" if totp(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activer").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    page.get_by_label("Code à 6 chiffres").fill(totp(secret))
    page.get_by_role("button", name="Activer").click()

    # The recovery codes are shown once enrolled.
    expect(page).to_have_url(re.compile(r"/comptes/2fa/recovery-codes/$"))
    assert_accessible(page)
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    page.goto(f"{live_server.url}/personnes/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/personnes/$"))
    log_out(page)

    # Second login: password, then a fresh code from the app.
    wait_for_next_code_window()
    log_in(page, live_server, email)
    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/$"))
    assert_accessible(page)
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server.url}/")
    log_out(page)

    # A recovery code works once.
    for attempt in range(2):
        log_in(page, live_server, email)
        expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/$"))
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Se connecter").click()
        if attempt == 0:
            expect(page).to_have_url(f"{live_server.url}/")
            log_out(page)
        else:
            expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/$"))
            expect(page.get_by_text(re.compile("Code incorrect|incorrect", re.I)).first).to_be_visible()

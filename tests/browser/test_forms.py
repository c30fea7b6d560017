"""In Chromium: a failed form puts the focus on its error summary, whose links lead to the fields;
a confirmation step is done with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from jalon.users.models import ApiToken

from .conftest import check_page, login
from .test_keyboard import assert_focus_visible, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_failed_submit_focuses_the_error_summary(page, live_server, personas):
    login(page, live_server, personas.case_worker_a.user.email)
    page.goto(f"{live_server.url}/personnes/nouvelle/")
    page.get_by_label("Prénom", exact=True).fill("Inès")
    page.get_by_role("button", name="Créer le dossier").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Il y a un problème")
    expect(summary.get_by_role("link", name="Nom : Ce champ est obligatoire.")).to_be_visible()
    check_page(page)
    # From the summary, the next Tab is its first link; following it reaches the field.
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_last_name")).to_be_focused()
    page.keyboard.type("Clavier")


def test_failed_login_focuses_the_summary_at_phone_width(phone_page, live_server, personas):
    phone_page.goto(f"{live_server.url}/comptes/login/")
    phone_page.get_by_label("Adresse e-mail").fill(personas.case_worker_a.user.email)
    phone_page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    phone_page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(phone_page.locator("[data-error-summary]")).to_be_focused()
    check_page(phone_page)


def test_revoking_a_token_is_confirmed_with_the_keyboard(page, live_server, personas):
    user = personas.case_worker_a.user
    token, _ = ApiToken.issue(user=user, name="Tableur du PLIE")
    login(page, live_server, user.email)
    page.goto(f"{live_server.url}/compte/jetons/")
    tab_to(page, "e => e.tagName === 'A' && e.textContent.includes('Révoquer')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Révoquer le jeton « Tableur du PLIE » ?")
    check_page(page)
    token.refresh_from_db()
    assert token.revoked_at is None  # seeing the question changes nothing
    tab_to(page, "e => e.tagName === 'BUTTON' && e.textContent.includes('Oui, révoquer')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/compte/jetons/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_field_errors_are_announced_by_screen_readers(page, live_server, personas):
    """Each invalid field is marked invalid and described by its own error message, as Chromium's
    accessibility tree reports it to a screen reader."""
    login(page, live_server, personas.case_worker_a.user.email)
    page.goto(f"{live_server.url}/personnes/nouvelle/")
    page.get_by_label("Prénom", exact=True).fill("Inès")
    page.get_by_label("E-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    last_name = page.locator("#id_last_name")
    expect(last_name).to_have_attribute("aria-invalid", "true")
    expect(last_name).to_have_accessible_description("Ce champ est obligatoire.")
    email = page.locator("#id_email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Saisissez une adresse de courriel valide.")
    # A field without error says nothing more.
    expect(page.locator("#id_first_name")).not_to_have_attribute("aria-invalid", "true")
    check_page(page)


def test_failed_login_fields_are_announced(page, live_server, personas):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Adresse e-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    for selector in ("#id_login", "#id_password"):
        field = page.locator(selector)
        expect(field).to_have_attribute("aria-invalid", "true")
        description = page.locator(f"#{field.get_attribute('aria-describedby')}")
        expect(description).to_be_visible()
        expect(field).to_have_accessible_description(description.inner_text())
    check_page(page)

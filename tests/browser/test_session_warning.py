"""The idle-session warning: a dialog that takes the focus and keeps the session on request."""

import pytest
from playwright.sync_api import expect

from jalon.www.account import sessions

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_warning_dialog_offers_to_stay_signed_in(page, live_server, personas, settings):
    # 2 minutes of warning out of 2 min 4 s: the dialog comes after about 4 seconds.
    settings.JALON_SESSION_IDLE_SECONDS = 124
    settings.JALON_SESSION_WARNING_SECONDS = 120
    user = personas.case_worker_a.user
    login(page, live_server, user.email)
    dialog = page.get_by_role("dialog", name="Votre session va se fermer")
    expect(dialog).to_be_visible(timeout=15_000)
    stay = dialog.get_by_role("button", name="Rester connecté·e")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("dans 2 minutes")
    assert_accessible(page)

    from django.contrib.sessions.models import Session

    def seen_at():
        session = Session.objects.get()
        return session.get_decoded().get(sessions.SEEN_AT)

    before = seen_at()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert seen_at() > before
    # Still signed in: the next page opens.
    page.get_by_role("link", name="Personnes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/comptes/login/" not in page.url

"""In Chromium at phone width: the structure's admin erases a file after a confirmation step."""

import pytest
from playwright.sync_api import expect

from jalon.people.models import Person

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_erasure_flow_at_phone_width(phone_page, live_server, personas, person_a):
    page = phone_page
    name = person_a.last_name
    login(page, live_server, personas.admin_a.user.email)
    page.goto(f"{live_server.url}/personnes/{person_a.pk}/")
    page.get_by_role("link", name="Effacer le dossier (droit à l'oubli)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Effacer le dossier de")
    expect(page.get_by_text("Cet effacement ne pourra pas être annulé.")).to_be_visible()
    check_page(page)
    assert Person.objects.get(pk=person_a.pk).anonymised_at is None  # seeing the question changes nothing
    page.get_by_role("button", name="Oui, effacer le dossier").click()
    expect(page).to_have_url(f"{live_server.url}/personnes/{person_a.pk}/")
    expect(page.get_by_text("Le dossier est effacé")).to_be_visible()
    expect(page.get_by_text("Dossier anonymisé le")).to_be_visible()
    expect(page.get_by_role("link", name="Effacer le dossier (droit à l'oubli)")).to_have_count(0)
    assert name not in page.content()
    check_page(page)
    assert Person.objects.get(pk=person_a.pk).anonymised_at is not None

"""The issue's journey in a real browser: log in, switch structure, create a person, find them, open the file."""

import re

import pytest
from playwright.sync_api import expect

from jalon.people.models import Person
from jalon.structures.models import Role
from jalon.text import of

from ..factories import MembershipFactory
from .conftest import assert_no_horizontal_scroll, check_page, fill_new_person, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTREUIL = ("montreuil", "Montreuil (93100) — 93048")


def switch_structure(page, name: str) -> None:
    page.get_by_label("Structure", exact=True).select_option(label=name)
    page.get_by_role("button", name="Changer").click()
    expect(page.get_by_role("status")).to_contain_text(f"Vous travaillez maintenant pour {name}")
    check_page(page)


def test_journey_log_in_switch_create_find_open(page, live_server, personas, communes):
    user = personas.case_worker_a.user
    MembershipFactory(user=user, structure=personas.structure_b, role=Role.CASE_WORKER)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/comptes/login/"))  # deny by default
    check_page(page)
    login(page, live_server, user.email)
    check_page(page)
    expect(page.get_by_text("Association A — ")).to_be_visible()

    switch_structure(page, "PLIE B")
    expect(page.get_by_text("PLIE B — ")).to_be_visible()
    switch_structure(page, "Association A")
    expect(page.get_by_text("Association A — ")).to_be_visible()

    page.get_by_role("link", name="Personnes", exact=True).click()
    check_page(page)
    page.get_by_role("link", name="Nouvelle personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle personne")
    check_page(page)
    fill_new_person(page, first_name="Zoé", last_name="Lefèvre", phone="06 12 34 56 78", commune=MONTREUIL)
    page.get_by_role("button", name="Créer le dossier").click()

    expect(page).to_have_url(re.compile(r"/personnes/\d+/$"))
    expect(page.get_by_role("status")).to_have_text("Le dossier est créé.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoé LEFÈVRE")
    expect(page.get_by_text("Montreuil", exact=False).first).to_be_visible()
    check_page(page)
    file_url = page.url

    person = Person.objects.get(last_name="Lefèvre")
    assert person.structure == personas.structure_a
    assert person.phone == "+33612345678"
    assert person.commune_id == "93048"

    page.get_by_role("link", name="Personnes", exact=True).first.click()
    page.get_by_label("Rechercher").press_sequentially("LEFEVRE", delay=30)  # live search, no accents
    expect(page).to_have_url(re.compile(r"q=LEFEVRE"))  # htmx pushed the search into the address
    result = page.locator("#resultats").get_by_role("link", name="LEFÈVRE Zoé")
    expect(result).to_be_visible()
    expect(page.locator("#resultats tbody tr")).to_have_count(1)
    check_page(page)
    result.click()

    expect(page).to_have_url(file_url)
    timeline = page.locator("section", has=page.get_by_role("heading", name="Historique"))
    expect(timeline).to_contain_text("Dossier créé")
    expect(timeline).to_contain_text("Consentement donné : Être accompagné·e par la structure")
    consents = page.locator("section", has=page.get_by_role("heading", name="Consentements"))
    expect(consents).to_contain_text("À l'oral, noté par l'accompagnateur·rice")
    check_page(page)


def test_creation_on_a_360px_phone(phone_page, live_server, personas, communes):
    page = phone_page
    page.goto(f"{live_server.url}/comptes/login/")
    check_page(page)
    login(page, live_server, personas.case_worker_a.user.email)
    check_page(page)

    menu_button = page.get_by_role("button", name="Ouvrir le menu")
    people_link = page.get_by_role("link", name="Personnes", exact=True)
    expect(people_link).to_be_hidden()  # collapsed behind the toggler
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(people_link).to_be_visible()
    page.locator("#menu.show:not(.collapsing)").wait_for()
    check_page(page)  # the open menu too
    people_link.click()
    check_page(page)

    page.get_by_role("link", name="Nouvelle personne").click()
    check_page(page)
    fill_new_person(page, first_name="Noé", last_name="Ça-Ira", phone="07 98 76 54 32", commune=MONTREUIL)
    assert_no_horizontal_scroll(page)  # with the field filled with the long commune label
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("status")).to_have_text("Le dossier est créé.")
    check_page(page)

    page.goto(f"{live_server.url}/personnes/?q=ca+ira")
    expect(page.locator("#resultats").get_by_role("link", name="ÇA-IRA Noé")).to_be_visible()
    check_page(page)


def test_duplicate_phone_warns_and_links_to_existing_file(page, live_server, personas, person_a):
    login(page, live_server, personas.case_worker_a.user.email)
    page.goto(f"{live_server.url}/personnes/nouvelle/")
    national = "0" + person_a.phone.removeprefix("+33")  # typed as people say it, stored as E.164
    fill_new_person(page, first_name="Autre", last_name="Personne", phone=national, commune=None)
    page.get_by_role("button", name="Créer le dossier").click()

    warning = page.get_by_role("alert").filter(has_text="peut-être déjà suivie")
    expect(warning).to_be_visible()
    link = warning.get_by_role("link", name=f"Ouvrir le dossier {of(person_a.full_name)}")
    expect(link).to_have_attribute("href", f"/personnes/{person_a.pk}/")
    check_page(page)
    assert Person.objects.count() == 1  # nothing written
    link.click()
    expect(page).to_have_url(f"{live_server.url}/personnes/{person_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(person_a.first_name)
    check_page(page)

    # Knowing better, the case worker can still create the file by submitting the form again.
    page.goto(f"{live_server.url}/personnes/nouvelle/")
    fill_new_person(page, first_name="Autre", last_name="Personne", phone=national, commune=None)
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("alert").filter(has_text="peut-être déjà suivie")).to_be_visible()
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("status")).to_have_text("Le dossier est créé.")
    assert Person.objects.count() == 2

"""Issue 4's case-worker journey: from a person file, find a training near them and orient them."""

import re

import pytest
from playwright.sync_api import expect

from jalon.referrals import actions
from jalon.referrals.models import Orientation
from jalon.structures.models import Commune

from ..directory.test_pages import load
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_a_training_from_the_file_and_orient(phone_page, live_server, personas, person_a, communes):
    page = phone_page
    Commune.objects.get_or_create(
        code="64410",
        defaults={
            "name": "Mourenx",
            "search_name": "mourenx",
            "departement": "64",
            "region": "75",
            "epci": "246400337",
        },
    )
    load()
    person_a.commune_id = "64410"
    person_a.save()
    actions.record_intake(
        person=person_a,
        structure=personas.structure_a,
        actor=None,
        needs=[{"domain": "formation", "priority": 1}],
    )
    login(page, live_server, personas.case_worker_a.user.email)
    page.goto(f"{live_server.url}/personnes/{person_a.pk}/")
    page.get_by_role("link", name="Trouver un service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Trouver un service pour {person_a.first_name}"
    )
    expect(page.get_by_label("Se former")).to_be_checked()
    expect(page.get_by_role("heading", name="Les Hackeuses")).to_be_visible()
    expect(page.get_by_text("Formation à Poitiers")).to_have_count(0)
    check_page(page)
    page.get_by_role("link", name="Orienter vers ce service : Les Hackeuses").click()
    expect(page.get_by_label("Programme, service ou formation")).to_have_value("Les Hackeuses (Simplon)")
    page.get_by_label("Pourquoi cette orientation").fill("Veut apprendre le développement web")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page).to_have_url(re.compile(r"/orientations/\d+/$"))
    check_page(page)
    assert Orientation.objects.get().target_service.source_id == "hackeuses"


def test_a_visitor_searches_on_a_phone_in_spanish(browser, live_server, communes):
    """No account: the browser speaks Spanish, the page answers in Spanish, falls back to French."""
    import json

    from jalon.directory.importer import import_file

    from ..directory.test_import_export import SERVICE, STRUCTURE
    from ..directory.test_public import TRANSLATED

    strip = lambda item: {k: v for k, v in item.items() if k != "code_insee"}  # noqa: E731
    data = {"structures": [strip(STRUCTURE)], "services": [strip(SERVICE), strip(TRANSLATED)]}
    assert import_file("f.json", json.dumps(data).encode()).ok
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-ES", is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/services/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Encontrar un servicio cerca de usted")
    check_page(page)
    page.get_by_label("Lo que busca").fill("eolico")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("heading", name="Técnico/a de mantenimiento eólico")).to_be_visible()
    check_page(page)
    # The address holds the search: a shared link opens the same results.
    shared = page.url
    other = context.new_page()
    other.goto(shared)
    expect(other.get_by_role("heading", name="Técnico/a de mantenimiento eólico")).to_be_visible()
    page.get_by_role("link", name="Português").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Encontrar um serviço perto de si")
    check_page(page)
    context.close()

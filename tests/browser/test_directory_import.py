"""Issue 13/20: on a phone, an administrator uploads the national spreadsheet template, sees the
import's progress, then its report."""

import re

import pytest
from playwright.sync_api import expect

from jalon.directory import actions
from jalon.directory.models import ImportRun, Service
from jalon.structures.models import Commune

from ..directory.test_xlsx import corrected_fixture
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_the_template_see_progress_then_the_report(
    phone_page, live_server, personas, monkeypatch, tmp_path
):
    page = phone_page
    Commune.objects.get_or_create(
        code="59350",
        defaults={"name": "Lille", "search_name": "lille", "departement": "59", "region": "32"},
    )
    # The job is held back, so the page can be seen waiting; the test runs it below, as the
    # consumer would.
    monkeypatch.setattr(actions, "_enqueue", lambda run_id: None)
    workbook = tmp_path / "dataset.xlsx"
    workbook.write_bytes(corrected_fixture())
    login(page, live_server, personas.admin_a.user.email)
    page.goto(f"{live_server.url}/annuaire/notre-offre/")
    check_page(page)
    page.get_by_label("Fichier data·inclusion (modèle de tableur XLSX, JSON ou CSV)").set_input_files(
        workbook
    )
    page.get_by_role("button", name="Vérifier et importer").click()
    expect(page).to_have_url(re.compile(r"/annuaire/notre-offre/imports/[0-9a-f-]+/$"))
    expect(page.get_by_role("progressbar", name="Avancement de l'import")).to_be_visible()
    expect(page.get_by_text("En attente")).to_be_visible()
    check_page(page)
    actions.run_import(run_id=ImportRun.objects.get().pk)
    # The page polls: the report replaces the bar without a reload.
    expect(page.get_by_text("Import terminé")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    check_page(page)
    assert Service.objects.owned_by(personas.structure_a).count() == 2

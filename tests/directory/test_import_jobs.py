"""Imports through the offer screen run as a job: the page stores the file, shows progress, then
the report; another structure's import does not exist for you (404)."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jalon.audit.models import AuditEvent
from jalon.directory import actions
from jalon.directory.importer import Report
from jalon.directory.models import ImportRun, Service

from .test_import_export import dump
from .test_xlsx import corrected_fixture

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _post(client, content: bytes, name: str, *, run_job=True):
    with TestCase.captureOnCommitCallbacks(execute=run_job):
        return client.post(reverse("directory_offer"), {"fichier": SimpleUploadedFile(name, content)})


def test_an_xlsx_upload_runs_as_a_job_then_shows_its_report(personas):
    admin = personas.client_for(personas.admin_a)
    response = _post(admin, corrected_fixture(), "dataset.xlsx")
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "directory_import_status", args=[run.token]
    )
    assert run.status == ImportRun.Status.DONE and run.accepted and run.content == b""  # file dropped
    page = _text(admin.get(response["Location"]))
    assert "Import terminé" in page and "2 créée(s)" in page and "lien_url_gen" in page
    assert Service.objects.owned_by(personas.structure_a).count() == 2
    details = set(AuditEvent.objects.filter(structure=personas.structure_a).values_list("detail", flat=True))
    assert {"import annuaire déposé", "import annuaire accepté"} <= details
    # The offer page lists it.
    assert run.filename in _text(admin.get(reverse("directory_offer")))


def test_a_refused_file_lists_every_bad_cell(personas):
    from .test_xlsx import FIXTURE

    admin = personas.client_for(personas.admin_a)
    response = _post(admin, FIXTURE.read_bytes(), "dataset.xlsx")
    page = _text(admin.get(response["Location"]))
    assert "rien n'a été enregistré" in page
    assert "feuille « Structures », ligne 4, colonne L (courriel)" in page
    assert not Service.objects.exists()


def test_while_it_waits_the_page_polls_and_shows_progress(personas):
    admin = personas.client_for(personas.admin_a)
    response = _post(admin, dump(), "offre.json", run_job=False)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.QUEUED and run.content
    page = _text(admin.get(response["Location"]))
    assert 'hx-trigger="every 1s"' in page and 'aria-live="polite"' in page and "En attente" in page
    partial = admin.get(response["Location"], headers={"HX-Request": "true"})
    assert "<h1" not in _text(partial) and 'role="progressbar"' in _text(partial)
    actions.run_import(run_id=run.pk)
    partial = _text(admin.get(response["Location"], headers={"HX-Request": "true"}))
    assert "hx-trigger" not in partial and "Import terminé" in partial


def test_progress_is_told_stage_by_stage(personas, monkeypatch):
    run = actions.start_import(structure=personas.structure_a, user=None, filename="a.json", content=b"[]")
    seen = []

    def fake_import(name, content, *, owner, progress):
        progress("vérification", 0, 10)
        seen.append(actions.import_progress(run))
        progress("écriture", 5, 10)
        seen.append(actions.import_progress(run))
        return Report()

    monkeypatch.setattr(actions, "import_file", fake_import)
    actions.run_import(run_id=run.pk)
    assert [(s["stage"], s["percent"]) for s in seen] == [("vérification", 10), ("écriture", 65)]
    assert actions.import_progress(run)["stage"] == "attente"  # cleared when it ends
    # A job delivered twice does not import twice.
    actions.run_import(run_id=run.pk)
    assert len(seen) == 2


def test_a_job_that_breaks_ends_the_run_with_a_french_message(personas, monkeypatch, caplog):
    run = actions.start_import(structure=personas.structure_a, user=None, filename="a.json", content=b"[]")

    def broken(*args, **kwargs):
        raise RuntimeError("valeur du fichier : jean.dupont@example.org")

    monkeypatch.setattr(actions, "import_file", broken)
    actions.run_import(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and not run.accepted
    assert "rien n'a été enregistré" in run.summary and run.content == b""
    assert "dupont" not in caplog.text and "RuntimeError" in caplog.text  # no personal data in logs


def test_a_run_whose_job_was_lost_ends_after_six_hours(personas):
    from datetime import timedelta

    from django.utils import timezone

    lost = actions.start_import(structure=personas.structure_a, user=None, filename="a.json", content=b"[]")
    recent = actions.start_import(structure=personas.structure_a, user=None, filename="b.json", content=b"[]")
    ImportRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=7))
    assert actions.end_abandoned_imports() == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == ImportRun.Status.FAILED and "rien n'a été enregistré" in lost.summary
    assert recent.status == ImportRun.Status.QUEUED
    assert actions.end_abandoned_imports() == 0


def test_another_structures_import_is_not_found(personas):
    run = actions.start_import(structure=personas.structure_a, user=None, filename="a.json", content=b"[]")
    url = reverse("directory_import_status", args=[run.token])
    assert personas.client_for(personas.case_worker_b).get(url).status_code == 404
    assert personas.client_for(personas.case_worker_a).get(url).status_code == 200


def test_status_page_queries_do_not_grow_with_problems(personas):
    admin = personas.client_for(personas.admin_a)
    admin.get(reverse("home"))  # the session's first page loads what it caches
    counts = []
    for n in (2, 20):
        run = actions.start_import(
            structure=personas.structure_a, user=None, filename="a.json", content=b"[]"
        )
        actions.finish_import(run=run, report=Report(problems=[f"ligne {i}" for i in range(n)]))
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(reverse("directory_import_status", args=[run.token])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_export_of_the_offer_as_the_template(personas):
    admin = personas.client_for(personas.admin_a)
    _post(admin, dump(), "offre.json")
    response = admin.get(reverse("directory_offer_export_xlsx"))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    from io import BytesIO

    from openpyxl import load_workbook

    assert load_workbook(BytesIO(response.content))["Services"]["C3"].value == "permanence-numerique"

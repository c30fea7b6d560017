"""A structure's own offer: upload (checked whole, never over another structure's ids), quality and
freshness shown to its owner, monthly reminder, export."""

import html
import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jalon.audit.models import Action, AuditEvent
from jalon.directory import freshness
from jalon.directory.importer import import_file
from jalon.directory.models import DirectoryStructure, Service
from jalon.notifications.models import OutboxMessage

from .test_import_export import SERVICE, STRUCTURE, dump

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upload(client, content: bytes, name="offre.json"):
    """Post the file; its import job runs when the page's transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("directory_offer"), {"fichier": SimpleUploadedFile(name, content)})
    if response.status_code == 302:
        return client.get(response["Location"])
    return response


def test_upload_publishes_the_offer_then_shows_quality_and_exports_it(personas):
    admin = personas.client_for(personas.admin_a)
    response = _upload(admin, dump())
    assert response.status_code == 200 and "Import terminé" in _text(response)
    structure = DirectoryStructure.objects.get()
    assert structure.owner == personas.structure_a
    page = _text(admin.get(reverse("directory_offer")))
    service = Service.objects.get()
    assert "Permanence numérique" in page and f"qualité {round(service.score_qualite * 100)} %" in page
    exported = json.loads(admin.get(reverse("directory_offer_export")).content)
    assert [s["id"] for s in exported["services"]] == ["permanence-numerique"]
    # Every export is written in the journal, even of public data.
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, structure=personas.structure_a, actor=personas.admin_a.user
    ).exists()
    # Uploading the same file again changes nothing.
    _upload(admin, dump())
    assert Service.objects.count() == 1


def test_a_bad_file_lists_its_lines_in_french_and_writes_nothing(personas):
    admin = personas.client_for(personas.admin_a)
    broken = dict(SERVICE, id="sans-nom", nom="")
    response = _upload(admin, dump(services=(SERVICE, broken)))
    page = _text(response)
    assert response.status_code == 200 and "rien n'a été enregistré" in page and "ligne 2" in page
    assert not Service.objects.exists() and not DirectoryStructure.objects.exists()
    wrong = _upload(admin, b"nom;description\n", name="offre.txt")
    assert "Choisissez un fichier .xlsx, .json ou .csv." in _text(wrong)


def test_an_upload_never_takes_over_another_structures_ids(personas):
    assert import_file("b.json", dump(), owner=personas.structure_b).ok
    admin = personas.client_for(personas.admin_a)
    page = _text(_upload(admin, dump()))
    assert "appartient déjà à une autre structure" in page
    assert DirectoryStructure.objects.get().owner == personas.structure_b
    # A national dump imported without owner cannot be claimed either.
    other = dict(STRUCTURE, id="national")
    assert import_file("n.json", dump(structures=(other,), services=()), owner=None).ok
    assert not import_file("a.json", dump(structures=(other,), services=()), owner=personas.structure_a).ok


def test_only_administrators_import(personas):
    worker = personas.client_for(personas.case_worker_a)
    assert worker.get(reverse("directory_offer")).status_code == 200
    assert "Vérifier et importer" not in _text(worker.get(reverse("directory_offer")))
    assert _upload(worker, dump()).status_code == 403
    assert not Service.objects.exists()


def test_stale_services_are_flagged_and_reminded_once_a_month(personas):
    personas.structure_a.email = "contact@a.example.org"
    personas.structure_a.save()
    old = (timezone.localdate() - timedelta(days=200)).isoformat()
    fresh = dict(SERVICE, id="recent")
    stale = dict(SERVICE, id="ancien", date_maj=old)
    assert import_file("a.json", dump(services=(fresh, stale)), owner=personas.structure_a).ok
    admin = personas.client_for(personas.admin_a)
    assert "1 service à mettre à jour" in _text(admin.get(reverse("directory_offer")))
    home = _text(admin.get(reverse("home")))
    assert "services de votre offre à mettre à jour dans l'annuaire" in home.lower()
    today = timezone.localdate()
    assert freshness.remind_owners(today) == 1
    assert freshness.remind_owners(today) == 0  # the job run twice: one message
    message = OutboxMessage.objects.get(purpose="annuaire_fraicheur")
    assert message.to == "contact@a.example.org" and "1 service(s)" in message.body
    next_month = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    assert freshness.remind_owners(next_month) == 1


def test_offer_page_queries_do_not_grow(personas):
    admin = personas.client_for(personas.admin_a)
    admin.get(reverse("home"))
    counts = []
    for n in (2, 20):
        services = [dict(SERVICE, id=f"s{len(counts)}-{i}") for i in range(n)]
        assert import_file("a.json", dump(services=services), owner=personas.structure_a).ok
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(reverse("directory_offer")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 5, counts  # the last imports are one of them

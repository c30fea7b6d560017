"""Erasure (right to be forgotten) from the file's page and the API; legal holds; the setting page."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jalon.audit.models import AuditEvent
from jalon.people import actions as people_actions
from jalon.people import erasure
from jalon.people.models import ConsentMethod, ConsentPurpose, Person
from jalon.programmes import actions as programmes
from jalon.programmes.models import StageKind
from jalon.structures.models import Structure
from jalon.users.models import ApiToken, TokenScope
from tests.conftest import mark_recent_login

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(person):
    return reverse("person_erase", args=[person.pk])


def _enrolled(personas, person):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme = programmes.create_programme(structure=a, actor=actor, name="Ensemble à 100 %")
    stage = programmes.add_stage(
        programme=programme, structure=a, actor=actor, name="Camp", kind=StageKind.BOOTCAMP
    )
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()).replace(hour=9))
    session = programmes.schedule_session(
        stage=stage, structure=a, actor=actor, slots=[(start, start + timedelta(hours=3))], capacity=5
    )
    programmes.enrol(session=session, person=person, structure=a, actor=actor, check_rules=False)
    return programme


@pytest.mark.parametrize("role", ["admin_a", "coordinator_a"])
def test_admin_or_coordinator_erases_after_a_confirmation(personas, person_a, role):
    client = personas.client_for(getattr(personas, role))
    name = person_a.last_name
    page = client.get(_url(person_a))
    assert page.status_code == 200
    assert "Oui, effacer le dossier" in _text(page)
    # Without the confirmation field, nothing happens.
    client.post(_url(person_a))
    person_a.refresh_from_db()
    assert person_a.anonymised_at is None
    response = client.post(_url(person_a), {"confirme": "oui"})
    assert response.status_code == 302
    person_a.refresh_from_db()
    assert person_a.anonymised_at is not None and person_a.last_name == ""
    event = AuditEvent.objects.get(person=person_a, action="delete")
    assert event.detail == "anonymisation : erasure" and name not in event.detail
    detail = _text(client.get(reverse("person_detail", args=[person_a.pk])))
    assert "Dossier anonymisé" in detail and name not in detail


def test_the_file_page_offers_erasure_to_the_admin_only(personas, person_a):
    url = reverse("person_detail", args=[person_a.pk])
    assert _url(person_a) in _text(personas.client_for(personas.admin_a).get(url))
    assert _url(person_a) not in _text(personas.client_for(personas.case_worker_a).get(url))


@pytest.mark.parametrize("role", ["case_worker_a", "trainer_a", "read_only_a"])
def test_a_member_without_the_role_is_refused(personas, person_a, role):
    client = personas.client_for(getattr(personas, role))
    assert client.get(_url(person_a)).status_code == 403
    assert client.post(_url(person_a), {"confirme": "oui"}).status_code == 403
    person_a.refresh_from_db()
    assert person_a.anonymised_at is None


def test_another_structure_gets_404_even_when_the_file_is_shared_with_it(personas, person_a):
    people_actions.give_consent(
        person=person_a,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.ORAL,
        target_structure=personas.structure_b,
    )
    client = personas.client_for(personas.admin_b)
    assert client.get(_url(person_a)).status_code == 404
    assert client.post(_url(person_a), {"confirme": "oui"}).status_code == 404
    person_a.refresh_from_db()
    assert person_a.anonymised_at is None


def test_erasure_asks_for_a_recent_login(personas, person_a):
    client = Client()
    client.force_login(personas.admin_a.user)
    mark_recent_login(client, personas.admin_a.user, at=0)
    response = client.post(_url(person_a), {"confirme": "oui"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    person_a.refresh_from_db()
    assert person_a.anonymised_at is None


def test_an_open_enrolment_is_a_legal_hold_listed_in_french(personas, person_a):
    _enrolled(personas, person_a)
    client = personas.client_for(personas.admin_a)
    page = _text(client.get(_url(person_a)))
    assert "ne peut pas être effacé pour le moment" in page
    assert "Inscription en cours au programme « Ensemble à 100 % »" in page
    assert "Oui, effacer le dossier" not in page
    response = client.post(_url(person_a), {"confirme": "oui"})
    assert response.status_code == 409
    person_a.refresh_from_db()
    assert person_a.anonymised_at is None and person_a.last_name
    assert AuditEvent.objects.filter(person=person_a, detail__startswith="effacement refusé").count() == 1


def test_a_recent_exit_is_a_hold_and_an_old_one_is_not(personas, person_a):
    programme = programmes.create_programme(structure=personas.structure_a, actor=None, name="Oser coder")
    exit = programmes.record_exit(
        programme=programme,
        person=person_a,
        structure=personas.structure_a,
        actor=None,
        category="positive",
        subtype="formation",
        exited_on=timezone.localdate() - timedelta(days=30),
    )
    holds = erasure.legal_holds(person_a)
    assert len(holds) == 1 and "Sortie du programme « Oser coder »" in holds[0]
    type(exit).objects.filter(pk=exit.pk).update(exited_on=timezone.localdate() - timedelta(days=200))
    assert erasure.legal_holds(person_a) == []


def test_erasure_is_idempotent(personas, person_a):
    assert erasure.erase_person(person=person_a, structure=personas.structure_a, actor=None)
    count = AuditEvent.objects.count()
    person_a.refresh_from_db()
    assert not erasure.erase_person(person=person_a, structure=personas.structure_a, actor=None)
    assert AuditEvent.objects.count() == count


# --- API -----------------------------------------------------------------------------------------


def _api(membership, scope=TokenScope.READ_WRITE):
    _, raw = ApiToken.issue(user=membership.user, name="t", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_api_erasure(personas, person_a):
    url = f"/api/v1/people/{person_a.pk}/erasure"
    assert _api(personas.admin_a, TokenScope.READ).post(url).status_code == 403
    assert _api(personas.case_worker_a).post(url).status_code == 403
    other = _api(personas.admin_b).post(url)
    assert other.status_code == 404
    assert _api(personas.admin_b).post("/api/v1/people/987654321/erasure").status_code == 404
    person_a.refresh_from_db()
    assert person_a.anonymised_at is None
    response = _api(personas.admin_a).post(url)
    assert response.status_code == 200
    assert response.json()["id"] == person_a.pk
    assert AuditEvent.objects.get(person=person_a, action="delete").via == "api"
    # A second call answers the same, and records nothing.
    count = AuditEvent.objects.count()
    assert _api(personas.admin_a).post(url).json() == response.json()
    assert AuditEvent.objects.count() == count


def test_api_erasure_refused_with_the_holds(personas, person_a):
    _enrolled(personas, person_a)
    response = _api(personas.coordinator_a).post(f"/api/v1/people/{person_a.pk}/erasure")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "Le dossier ne peut pas être effacé pour le moment."
    assert "Ensemble à 100 %" in body["holds"][0]
    assert Person.objects.get(pk=person_a.pk).anonymised_at is None


# --- the structure's setting ---------------------------------------------------------------------


def _settings_data(structure, months):
    return {"name": structure.name, "kind": structure.kind, "retention_months": months}


@pytest.mark.parametrize("months", [11, 37])
def test_the_setting_page_refuses_months_outside_the_legal_bounds(personas, months):
    client = personas.client_for(personas.admin_a)
    response = client.post(reverse("structure_settings"), _settings_data(personas.structure_a, months))
    assert response.status_code == 200
    assert "Choisissez une durée entre 12 et 36 mois" in _text(response)
    assert Structure.objects.get(pk=personas.structure_a.pk).retention_months == 24


def test_the_admin_sets_the_retention_of_the_structure(personas):
    client = personas.client_for(personas.admin_a)
    response = client.post(reverse("structure_settings"), _settings_data(personas.structure_a, 18))
    assert response.status_code == 302
    assert Structure.objects.get(pk=personas.structure_a.pk).retention_months == 18
    assert personas.client_for(personas.case_worker_a).get(reverse("structure_settings")).status_code == 403


def test_only_the_referent_structure_erases_even_through_the_function(personas, person_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        erasure.erase_person(person=person_a, structure=personas.structure_b, actor=None)
    person_a.refresh_from_db()
    assert person_a.anonymised_at is None

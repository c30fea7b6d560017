"""A person's data export (right of access): JSON and PDF from the file, JSON from the API.

Only the owning structure exports, after a recent login, audited, never cached; nothing another
structure wrote leaves with it (a partner's intake on a shared file, a co-runner's person).
"""

import json
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jalon.audit.models import Action, AuditEvent
from jalon.people import actions as people_actions
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.programmes import actions as programme_actions
from jalon.programmes.models import AttendanceStatus, Enrolment, EnrolmentStatus, Programme, Stage, StageKind
from jalon.referrals.models import Intake, IntakeNeed, PlanAction, PlanAxis, PlanObjective
from jalon.users.models import ApiToken, TokenScope
from tests.api.test_auth import bearer, token_client
from tests.conftest import mark_recent_login

pytestmark = pytest.mark.django_db


def _programme(structure, *others, name="Ensemble"):
    programme = Programme.objects.create(name=name)
    programme.owners.add(structure, *others)
    stage = Stage.objects.create(programme=programme, position=1, name=f"{name} 1", kind=StageKind.WORKSHOP)
    day = timezone.localdate() - timedelta(days=2)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))
    return programme_actions.schedule_session(
        stage=stage, structure=structure, actor=None, slots=[(start, start + timedelta(hours=3))], capacity=50
    )


def _enrol_present(session, person):
    enrolment = programme_actions.enrol(
        session=session, person=person, structure=person.structure, actor=None, check_rules=False
    )
    programme_actions.take_attendance(
        slot=session.slots.get(), marks={enrolment.pk: AttendanceStatus.PRESENT}, structure=person.structure
    )
    return enrolment


def _file(personas, person, n=1):
    """`n` rows of each kind about `person`, written by structure A."""
    a = personas.structure_a
    people_actions.give_consent(
        person=person,
        structure=a,
        actor=None,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.ORAL,
        target_structure=personas.structure_b,
    )
    for i in range(n):
        intake = Intake.objects.create(person=person, structure=a, summary=f"Point {i}")
        IntakeNeed.objects.create(intake=intake, domain="numerique", priority=1, detail="ordinateur")
        axis = PlanAxis.objects.create(person=person, structure=a, title=f"Axe {i}")
        objective = PlanObjective.objects.create(axis=axis, title="Objectif")
        PlanAction.objects.create(objective=objective, person=person, structure=a, title="Action")
        _enrol_present(_programme(a, name=f"Programme {i}"), person)


@pytest.fixture
def world(personas, person_a):
    _file(personas, person_a)
    # What structure B holds about the shared file: its own intake, never exported by A.
    Intake.objects.create(person=person_a, structure=personas.structure_b, summary="Note privée de B")
    # B runs a programme without A: A's person enrolled there by a past referent is not A's row.
    other = _programme(personas.structure_b, name="Chez B seulement")
    Enrolment.objects.create(session=other, person=person_a, status=EnrolmentStatus.ENROLLED)
    return person_a


def _json(response):
    return json.loads(response.content.decode())


def test_the_case_worker_exports_json_and_pdf_audited_and_not_cached(personas, world):
    client = personas.client_for(personas.case_worker_a)
    url = reverse("person_export", args=[world.pk])
    response = client.get(url + "?format=json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert f"donnees-personne-{world.pk}.json" in response["Content-Disposition"]
    data = _json(response)
    assert data["person"]["last_name"] == world.last_name
    assert [c["purpose"] for c in data["consents"]][:1] == ["Être accompagné·e par la structure"]
    assert {c["target_structure"] for c in data["consents"]} >= {personas.structure_b.name}
    assert [i["summary"] for i in data["intakes"]] == ["Point 0"]
    assert data["plan"][0]["objectives"][0]["actions"][0]["action"] == "Action"
    assert [e["programme"] for e in data["enrolments"]] == ["Programme 0"]
    assert data["enrolments"][0]["attended"] == 1
    assert data["timeline"] and data["access_log"]
    assert "Note privée de B" not in response.content.decode()
    assert "Chez B seulement" not in response.content.decode()
    assert AuditEvent.objects.filter(person=world, action=Action.EXPORT, via="web").count() == 1
    pdf = client.get(url + "?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "no-store" in pdf["Cache-Control"]
    assert AuditEvent.objects.filter(person=world, action=Action.EXPORT).count() == 2
    # The file page offers both.
    page = client.get(reverse("person_detail", args=[world.pk])).content.decode()
    assert url + "?format=pdf" in page and url + "?format=json" in page


def test_sensitive_notes_only_for_who_may_read_them(personas, world):
    membership = personas.case_worker_a  # the referent of person_a
    people_actions.add_sensitive_note(person=world, membership=membership, category="sante", text="Asthme")
    data = _json(
        personas.client_for(membership).get(reverse("person_export", args=[world.pk]) + "?format=json")
    )
    assert [n["text"] for n in data["sensitive_notes"]] == ["Asthme"]
    assert AuditEvent.objects.filter(person=world, action=Action.READ_SENSITIVE).exists()
    data = _json(
        personas.client_for(personas.admin_a).get(reverse("person_export", args=[world.pk]) + "?format=json")
    )
    assert data["sensitive_notes"] is None and "Asthme" not in json.dumps(data)


def test_other_structure_gets_404_even_with_the_file_shared(personas, world):
    url = reverse("person_export", args=[world.pk]) + "?format=json"
    assert personas.client_for(personas.case_worker_b).get(url).status_code == 404
    assert (
        token_client(personas.case_worker_b.user).get(f"/api/v1/people/{world.pk}/export").status_code == 404
    )
    assert personas.client_for(personas.case_worker_a).get(url.replace("json", "docx")).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_a_read_only_role_cannot_export(personas, world):
    url = reverse("person_export", args=[world.pk]) + "?format=pdf"
    assert personas.client_for(personas.read_only_a).get(url).status_code == 403


def test_an_old_login_is_asked_again_before_the_export(personas, world):
    client = Client()
    user = personas.case_worker_a.user
    client.force_login(user)
    mark_recent_login(client, user, at=0)
    response = client.get(reverse("person_export", args=[world.pk]) + "?format=pdf")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_api_export_with_a_read_only_token(personas, world):
    raw = ApiToken.issue(user=personas.case_worker_a.user, name="lecture", scope=TokenScope.READ)[1]
    response = bearer(raw).get(f"/api/v1/people/{world.pk}/export")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    data = _json(response)
    assert data["person"]["id"] == world.pk and "Note privée de B" not in response.content.decode()
    assert AuditEvent.objects.filter(person=world, action=Action.EXPORT, via="api").count() == 1
    assert bearer(raw).get("/api/v1/people/999999/export").status_code == 404


def test_export_queries_do_not_grow_with_the_file(personas, person_a, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jalon import portability

    membership = personas.case_worker_a
    _file(personas, person_a, n=1)
    with CaptureQueriesContext(connection) as small:
        portability.person_data(person_a, membership)
    _file(personas, person_a, n=10)
    with CaptureQueriesContext(connection) as large:
        data = portability.person_data(person_a, membership)
    assert len(data["enrolments"]) == 11
    assert len(large) == len(small)

"""The programmes API: the same rules as the pages, French errors, constant query counts."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jalon.people.actions import give_consent
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.programmes import actions, rollup
from jalon.programmes.models import Attendance, Enrolment, RuleKind, StageKind

from ..factories import PersonFactory
from .test_auth import token_client

pytestmark = pytest.mark.django_db


def _at(day: date, hour: int):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _programme(structure, *co_owners):
    programme = actions.create_programme(structure=structure, actor=None, name="Ensemble à 100 %")
    programme.owners.add(*co_owners)
    workshops = actions.add_stage(
        programme=programme, structure=structure, actor=None, name="Ateliers", kind=StageKind.WORKSHOP
    )
    camp = actions.add_stage(
        programme=programme, structure=structure, actor=None, name="SprintCamp", kind=StageKind.BOOTCAMP
    )
    actions.add_rule(
        stage=camp, structure=structure, actor=None, kind=RuleKind.MIN_ATTENDED, count=3, of_stage=workshops
    )
    return programme, workshops, camp


def _session(structure, stage, day, capacity=10):
    return actions.schedule_session(
        stage=stage, structure=structure, actor=None, slots=[(_at(day, 9), _at(day, 12))], capacity=capacity
    )


def test_programmes_sessions_and_co_run_names(personas):
    a, b = personas.structure_a, personas.structure_b
    programme, workshops, _ = _programme(a, b)
    day = timezone.localdate() + timedelta(days=5)
    session = _session(a, workshops, day)
    mine = PersonFactory(structure=a, first_name="Lina", last_name="Benali")
    theirs = PersonFactory(structure=b, first_name="Omar", last_name="Haddad")
    actions.enrol(session=session, person=mine, structure=a, actor=None)
    actions.enrol(session=session, person=theirs, structure=b, actor=None)
    # Each side's person shares their file with the co-runner: its condition to see the name.
    for person, target in ((mine, b), (theirs, a)):
        give_consent(
            person=person,
            structure=person.structure,
            actor=None,
            purpose=ConsentPurpose.SHARING,
            method=ConsentMethod.ORAL,
            target_structure=target,
        )
    client = token_client(personas.case_worker_a.user)
    programmes = client.get("/api/v1/programmes").json()
    assert [p["name"] for p in programmes] == ["Ensemble à 100 %"]
    assert [s["name"] for s in programmes[0]["stages"]] == ["Ateliers", "SprintCamp"]
    assert programmes[0]["stages"][1]["rules"][0]["text"] == "au moins 3 séance(s) suivie(s) de « Ateliers »"
    assert programmes[0]["owner_ids"] == sorted([a.pk, b.pk])
    sessions = client.get("/api/v1/sessions").json()["items"]
    assert [s["id"] for s in sessions] == [session.pk]
    detail = client.get(f"/api/v1/sessions/{session.pk}").json()
    names = {e["name"]: e["person_id"] for e in detail["enrolments"]}
    # A co-runner's participant: first name and initial, no file id.
    assert names == {"Lina Benali": mine.pk, "Omar H.": None}
    assert client.get("/api/v1/sessions?du=2027-02-01&au=2027-01-01").status_code == 422
    # The co-runner sees its own person in full and ours as initials; once it stops running the
    # programme, the session is not found.
    co_runner = token_client(personas.admin_b.user)
    names = {e["name"] for e in co_runner.get(f"/api/v1/sessions/{session.pk}").json()["enrolments"]}
    assert names == {"Lina B.", "Omar Haddad"}
    programme.owners.remove(b)
    assert co_runner.get(f"/api/v1/sessions/{session.pk}").status_code == 404


def test_enrolment_rules_waiting_list_and_attendance(personas):
    a = personas.structure_a
    _, workshops, camp = _programme(a)
    day = timezone.localdate() - timedelta(days=1)
    session = _session(a, workshops, day, capacity=2)
    people = [PersonFactory(structure=a) for _ in range(3)]
    worker = token_client(personas.case_worker_a.user)
    made = []
    for person in people:
        response = worker.post(
            "/api/v1/enrolments",
            {"session_id": session.pk, "person_id": person.pk},
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        made.append(response.json())
    assert [e["status"] for e in made] == ["inscrite", "inscrite", "attente"]
    # B's person, or a missing session: the same French 422.
    foreign = PersonFactory(structure=personas.structure_b)
    response = worker.post(
        "/api/v1/enrolments",
        {"session_id": session.pk, "person_id": foreign.pk},
        content_type="application/json",
    )
    assert response.status_code == 422 and "inconnue" in response.json()["detail"]
    # Cancelling a seat promotes the first waiting.
    assert worker.post(f"/api/v1/enrolments/{made[0]['id']}/annulation").json()["status"] == "annulee"
    assert Enrolment.objects.get(pk=made[2]["id"]).status == "inscrite"
    # The roll call: one absent, the others present; a bad status is refused in French.
    slot = session.slots.get()
    trainer = token_client(personas.trainer_a.user)
    bad = trainer.post(
        f"/api/v1/slots/{slot.pk}/attendance",
        {"marks": [{"enrolment_id": made[1]["id"], "status": "peut-etre"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and not Attendance.objects.exists()
    response = trainer.post(
        f"/api/v1/slots/{slot.pk}/attendance",
        {"marks": [{"enrolment_id": made[1]["id"], "status": "absent"}], "tous_presents": True},
        content_type="application/json",
    )
    assert {(r["enrolment_id"], r["status"]) for r in response.json()} == {
        (made[1]["id"], "absent"),
        (made[2]["id"], "present"),
    }
    # The entry rule of the SprintCamp: refused with the reason; the coordinator may override.
    camp_session = _session(a, camp, day + timedelta(days=10))
    response = worker.post(
        "/api/v1/enrolments",
        {"session_id": camp_session.pk, "person_id": people[2].pk, "passer_outre": True},
        content_type="application/json",
    )
    assert response.status_code == 422 and "1 séance(s) suivie(s)" in response.json()["detail"]
    coordinator = token_client(personas.coordinator_a.user)
    response = coordinator.post(
        "/api/v1/enrolments",
        {"session_id": camp_session.pk, "person_id": people[2].pk, "passer_outre": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    # Finishing: a date before the session is refused; then done.
    url = f"/api/v1/enrolments/{made[2]['id']}/fin"
    assert worker.post(url, {"ended_on": "2020-01-01"}, content_type="application/json").status_code == 422
    done = worker.post(url, {"ended_on": day.isoformat()}, content_type="application/json").json()
    assert done["status"] == "terminee"


def test_funnel_endpoint_and_query_counts(personas):
    a = personas.structure_a
    programme, workshops, _ = _programme(a)
    client = token_client(personas.case_worker_a.user)
    client.get("/api/v1/programmes")  # the token's first use is recorded once
    counts = []
    for n in (2, 20):
        day = timezone.localdate() - timedelta(days=n)
        session = _session(a, workshops, day, capacity=50)
        enrolments = [
            actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=None)
            for _ in range(n)
        ]
        actions.take_attendance(
            slot=session.slots.get(), marks={e.pk: "present" for e in enrolments}, structure=a, actor=None
        )
        rollup.refresh()
        with CaptureQueriesContext(connection) as queries:
            funnel = client.get(f"/api/v1/programmes/{programme.pk}/funnel").json()
        counts.append(len(queries))
    assert (
        funnel["stages"][0]["entered"] == funnel["stages"][0]["people_entered"] == 22
        and funnel["stages"][0]["attendance_rate"] == 1.0
    )
    assert funnel["fresh_at"] is not None and funnel["exits"] == {
        "durable": 0,
        "transition": 0,
        "positive": 0,
        "autre": 0,
    }
    assert counts[0] == counts[1]
    assert (
        client.get(f"/api/v1/programmes/{programme.pk}/funnel?debut=2027-02-01&fin=2027-01-01").status_code
        == 422
    )
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/programmes")
    assert len(queries) <= 10


def test_sessions_and_slots_carry_their_title_and_topic(personas):
    a, b = personas.structure_a, personas.structure_b
    _, workshops, _ = _programme(a, b)
    day = timezone.localdate() + timedelta(days=5)
    session = actions.schedule_session(
        stage=workshops,
        structure=a,
        actor=None,
        slots=[(_at(day, 9), _at(day, 12), "Ouvrir sa boîte", "e-mail")],
        capacity=8,
        title="Créer sa boîte mail",
        topic="Numérique du quotidien",
    )
    client = token_client(personas.case_worker_a.user)
    listed = client.get("/api/v1/sessions").json()["items"][0]
    assert (listed["title"], listed["topic"], listed["stage"]) == (
        "Créer sa boîte mail",
        "Numérique du quotidien",
        "Ateliers",
    )
    slot = client.get(f"/api/v1/sessions/{session.pk}").json()["slots"][0]
    assert (slot["title"], slot["topic"]) == ("Ouvrir sa boîte", "e-mail")

"""Enrolment rules: capacity never exceeded, waiting list in order, also under concurrency."""

import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection

from jalon.audit.models import AuditEvent
from jalon.programmes import actions
from jalon.programmes.models import DirtyDay, Enrolment, EnrolmentStatus, Programme, Session, Stage, StageKind
from tests.factories import PersonFactory


def _session(structure, capacity=2, waiting_list=True):
    programme = Programme.objects.create(name="Ensemble à 100 %")
    programme.owners.add(structure)
    stage = Stage.objects.create(programme=programme, position=1, name="SprintCamp", kind=StageKind.BOOTCAMP)
    return Session.objects.create(
        stage=stage, starts_on=date(2027, 1, 11), capacity=capacity, waiting_list=waiting_list
    )


@pytest.mark.django_db
def test_capacity_then_waiting_list_then_promotion_in_order(personas):
    session = _session(personas.structure_a)
    people = [PersonFactory(structure=personas.structure_a) for _ in range(5)]
    actor = personas.case_worker_a.user
    enrolments = [
        actions.enrol(session=session, person=p, structure=personas.structure_a, actor=actor) for p in people
    ]
    assert [e.status for e in enrolments] == ["inscrite", "inscrite", "attente", "attente", "attente"]
    assert [e.waiting_rank for e in enrolments[2:]] == [1, 2, 3]
    with pytest.raises(ValidationError, match="déjà inscrite"):
        actions.enrol(session=session, person=people[3], structure=personas.structure_a, actor=actor)
    # The second on the list leaves: nobody moves; then a seat frees: the first waiting takes it.
    assert actions.cancel(enrolment=enrolments[3], structure=personas.structure_a, actor=actor) is None
    promoted = actions.cancel(enrolment=enrolments[0], structure=personas.structure_a, actor=actor)
    assert promoted.pk == enrolments[2].pk
    promoted = actions.cancel(enrolment=enrolments[1], structure=personas.structure_a, actor=actor)
    assert promoted.pk == enrolments[4].pk
    assert session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count() == 2
    assert AuditEvent.objects.filter(object_type="enrolment").count() == 5 + 3 + 2


@pytest.mark.django_db
def test_full_without_waiting_list_is_refused_in_french(personas):
    session = _session(personas.structure_a, capacity=1, waiting_list=False)
    first, second = (
        PersonFactory(structure=personas.structure_a),
        PersonFactory(structure=personas.structure_a),
    )
    actions.enrol(session=session, person=first, structure=personas.structure_a, actor=None)
    with pytest.raises(ValidationError, match="complète"):
        actions.enrol(session=session, person=second, structure=personas.structure_a, actor=None)
    assert Enrolment.objects.count() == 1


@pytest.mark.django_db
def test_another_structure_can_neither_enrol_nor_cancel(personas):
    session = _session(personas.structure_a)
    theirs = PersonFactory(structure=personas.structure_b)
    with pytest.raises(PermissionDenied):
        actions.enrol(session=session, person=theirs, structure=personas.structure_b, actor=None)
    mine = actions.enrol(
        session=session,
        person=PersonFactory(structure=personas.structure_a),
        structure=personas.structure_a,
        actor=None,
    )
    with pytest.raises(PermissionDenied):
        actions.cancel(enrolment=mine, structure=personas.structure_b, actor=None)
    # A person of another structure cannot be put in my session either.
    with pytest.raises(PermissionDenied):
        actions.enrol(session=session, person=theirs, structure=personas.structure_a, actor=None)


@pytest.mark.django_db(transaction=True)
def test_two_staff_enrolling_at_once_never_exceed_capacity(personas):
    """Real concurrency: threads on their own connections race for the last seat."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL's row locks")
    session = _session(personas.structure_a, capacity=1, waiting_list=False)
    people = [PersonFactory(structure=personas.structure_a) for _ in range(6)]
    barrier, outcomes = threading.Barrier(len(people)), []

    def attempt(person):
        try:
            barrier.wait()
            actions.enrol(session=session, person=person, structure=personas.structure_a, actor=None)
            outcomes.append("inscrite")
        except ValidationError:
            outcomes.append("refusée")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["inscrite"] + ["refusée"] * 5
    assert Enrolment.objects.filter(session=session, status=EnrolmentStatus.ENROLLED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_posting_at_once_through_the_api_share_seat_and_waiting_list(personas):
    """The same race through HTTP: two members of staff, two clients, one seat left."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL's row locks")
    from django.test import Client

    session = _session(personas.structure_a, capacity=1, waiting_list=True)
    staff = [personas.case_worker_a, personas.coordinator_a] * 2
    people = [PersonFactory(structure=personas.structure_a) for _ in staff]
    clients = []
    for membership in staff:
        client = Client()
        client.force_login(membership.user)
        clients.append(client)
    barrier, statuses = threading.Barrier(len(staff)), []

    def post(client, person):
        try:
            barrier.wait()
            response = client.post(
                "/api/v1/enrolments",
                {"session_id": session.pk, "person_id": person.pk},
                content_type="application/json",
            )
            statuses.append((response.status_code, response.json()["status"]))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, people, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [(201, "attente")] * 3 + [(201, "inscrite")]
    ranks = sorted(session.enrolments.filter(status="attente").values_list("waiting_rank", flat=True))
    assert ranks == [1, 2, 3]


def _failing_audit(monkeypatch):
    def record(**kwargs):
        raise RuntimeError("audit store unavailable")

    # enrol() and cancel() write their audit events from the enrolment module.
    monkeypatch.setattr(actions.enrolment, "record", record)


@pytest.mark.django_db
def test_an_enrolment_without_its_audit_event_is_not_written(personas, monkeypatch):
    """The audit event is written in the enrolment's transaction: no event, no enrolment."""
    session = _session(personas.structure_a)
    person = PersonFactory(structure=personas.structure_a)
    _failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        actions.enrol(session=session, person=person, structure=personas.structure_a, actor=None)
    assert not Enrolment.objects.exists()
    assert not DirtyDay.objects.exists()


@pytest.mark.django_db
def test_a_cancellation_without_its_audit_event_changes_nothing(personas, monkeypatch):
    session = _session(personas.structure_a, capacity=1)
    a = personas.structure_a
    seated = actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=None)
    waiting = actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=None)
    _failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        actions.cancel(enrolment=seated, structure=a, actor=None)
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING)

"""An exit from a programme ends the person's live enrolments in it."""

import html
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jalon.audit.models import AuditEvent
from jalon.programmes import actions
from jalon.programmes.models import DirtyDay, EnrolmentStatus, StageKind
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _at(day, hour: int):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _session(stage, structure, first_day, days=1, capacity=10):
    slots = [
        (_at(first_day + timedelta(days=k), 9), _at(first_day + timedelta(days=k), 12)) for k in range(days)
    ]
    return actions.schedule_session(
        stage=stage, structure=structure, actor=None, slots=slots, capacity=capacity
    )


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_an_exit_ends_the_live_enrolments_and_takes_the_person_off_the_roll_call(personas):
    a, actor = personas.structure_a, personas.case_worker_a.user
    today = timezone.localdate()
    programme = actions.create_programme(structure=a, actor=actor, name="Ensemble à 100 %")
    camp = actions.add_stage(
        programme=programme, structure=a, actor=actor, name="SprintCamp", kind=StageKind.BOOTCAMP
    )
    workshops = actions.add_stage(
        programme=programme, structure=a, actor=actor, name="Ateliers", kind=StageKind.WORKSHOP
    )
    other = actions.create_programme(structure=a, actor=actor, name="Oser coder")
    other_stage = actions.add_stage(
        programme=other, structure=a, actor=actor, name="Jeudis", kind=StageKind.MODULE
    )
    # A five-day camp that started two days ago; a full workshop next week; another programme.
    running = _session(camp, a, today - timedelta(days=2), days=5)
    ahead = _session(workshops, a, today + timedelta(days=7), capacity=1)
    elsewhere = _session(other_stage, a, today + timedelta(days=7))
    marcel, next_in_line, colleague = (
        PersonFactory(structure=a, first_name=first, last_name=last)
        for first, last in (("Marcel", "Brunet"), ("Awa", "Diallo"), ("Lina", "Kaci"))
    )
    marcel.gender = "M"
    marcel.save(update_fields=["gender"])
    in_camp = actions.enrol(session=running, person=marcel, structure=a, actor=actor)
    actions.enrol(session=running, person=colleague, structure=a, actor=actor)
    in_workshop = actions.enrol(session=ahead, person=marcel, structure=a, actor=actor)
    waiting = actions.enrol(session=ahead, person=next_in_line, structure=a, actor=actor)
    in_other = actions.enrol(session=elsewhere, person=marcel, structure=a, actor=actor, check_rules=False)
    assert waiting.status == EnrolmentStatus.WAITING
    DirtyDay.objects.all().delete()
    before = AuditEvent.objects.filter(object_type="enrolment").count()

    client = personas.client_for(personas.case_worker_a)
    response = client.post(
        reverse("person_pathway_record", args=[marcel.pk]),
        {"programme": programme.pk, "kind": "durable:cdi", "exited_on": today.isoformat()},
    )
    assert response.status_code == 302

    for enrolment in (in_camp, in_workshop, waiting, in_other):
        enrolment.refresh_from_db()
    # Left the running camp on the day of the exit, for a job; the seat ahead is freed and the
    # first on the waiting list takes it; the other programme is not touched.
    assert (in_camp.status, in_camp.ended_on, in_camp.left_reason) == (EnrolmentStatus.LEFT, today, "emploi")
    assert in_workshop.status == EnrolmentStatus.CANCELLED
    assert waiting.status == EnrolmentStatus.ENROLLED
    assert in_other.status == EnrolmentStatus.ENROLLED
    # Each change has its audit event, and the roll-ups of both stages will be rebuilt.
    assert AuditEvent.objects.filter(object_type="enrolment").count() == before + 3
    assert set(DirtyDay.objects.filter(stage__isnull=False).values_list("stage_id", flat=True)) == {
        camp.pk,
        workshops.pk,
    }
    assert DirtyDay.objects.filter(stage__isnull=True, programme=programme, day=today).exists()

    # The roll call of the camp's last day, after the exit, no longer calls Marcel; today's does.
    coordinator = personas.client_for(personas.coordinator_a)
    slots = list(running.slots.order_by("starts_at"))
    last = _text(coordinator.get(reverse("slot_roll_call", args=[slots[-1].pk])))
    assert colleague.last_name in last and marcel.last_name not in last
    assert marcel.last_name in _text(coordinator.get(reverse("slot_roll_call", args=[slots[2].pk])))
    with pytest.raises(ValidationError, match="pas inscrite"):
        actions.take_attendance(slot=slots[-1], marks={in_camp.pk: "present"}, structure=a, actor=actor)
    # The session page says Marcel left; the workshop ahead lists the person promoted, not him.
    camp_page = _text(coordinator.get(reverse("session_detail", args=[running.pk])))
    assert "parti en cours d'étape" in camp_page and "partie en cours" not in camp_page
    ahead_page = _text(coordinator.get(reverse("session_detail", args=[ahead.pk])))
    assert next_in_line.last_name in ahead_page and marcel.last_name not in ahead_page


def test_a_slot_after_everyone_left_is_not_a_roll_call_to_take(personas):
    a = personas.structure_a
    today = timezone.localdate()
    programme = actions.create_programme(structure=a, actor=None, name="Tremplin Numérique")
    stage = actions.add_stage(programme=programme, structure=a, actor=None, name="Web", kind=StageKind.MODULE)
    session = _session(stage, a, today - timedelta(days=3), days=2)
    enrolment = actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=None)
    first, second = session.slots.order_by("starts_at")
    actions.take_attendance(slot=first, marks={enrolment.pk: "present"}, structure=a, actor=None)
    home = personas.client_for(personas.coordinator_a)
    assert reverse("slot_roll_call", args=[second.pk]) in _text(home.get(reverse("home")))
    actions.record_exit(
        programme=programme,
        person=enrolment.person,
        structure=a,
        actor=None,
        category="positive",
        subtype="formation",
        exited_on=today - timedelta(days=3),
    )
    assert "ppel à faire" not in _text(home.get(reverse("home")))


@pytest.mark.parametrize("cap", [1000, 2])
def test_roll_call_todo_counts_the_slots_due_below_and_past_the_cap(
    personas, monkeypatch, django_assert_num_queries, cap
):
    # Two steps (the window's slots, then the conditions on them) keep PostgreSQL's planning
    # cheap; past CANDIDATES slots the whole query answers the same.
    from jalon.www.programmes import todo

    monkeypatch.setattr(todo, "CANDIDATES", cap)
    a = personas.structure_a
    today = timezone.localdate()
    programme = actions.create_programme(structure=a, actor=None, name="Tremplin Numérique")
    stage = actions.add_stage(programme=programme, structure=a, actor=None, name="Web", kind=StageKind.MODULE)
    session = _session(stage, a, today - timedelta(days=4), days=3)
    enrolment = actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=None)
    first, second, third = session.slots.order_by("starts_at")
    actions.take_attendance(slot=first, marks={enrolment.pk: "present"}, structure=a, actor=None)
    with django_assert_num_queries(2):
        [item] = todo.roll_calls(personas.coordinator_a, personas.coordinator_a.user)
    assert (item.count, item.url) == (2, reverse("slot_roll_call", args=[second.pk]))


def test_no_roll_call_todo_without_slots_in_the_window_costs_one_query(personas, django_assert_num_queries):
    from jalon.www.programmes import todo

    with django_assert_num_queries(1):
        assert todo.roll_calls(personas.coordinator_a, personas.coordinator_a.user) == []

"""The bench's generator: the roll-ups built by the real refresh agree with the raw rows."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from jalon.programmes import actions, bulk, rollup
from jalon.programmes.models import Attendance, Enrolment, Exit
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_bulk_programme_rolls_up_to_the_raw_counts(personas):
    a = personas.structure_a
    people = [PersonFactory(structure=a).pk for _ in range(120)]
    made = bulk.bulk_programme(
        structure=a, name="National", people_ids=people, attendance_rows=3000, seed=1, log=lambda m: None
    )
    programme = made["programme"]
    assert made["people"] == bulk.people_needed(3000)
    assert 2000 <= Attendance.objects.filter(stage__programme=programme).count() <= 4500
    rollup.refresh()
    today = timezone.localdate()
    figures = rollup.funnel(programme, today - timedelta(days=1000), today)
    marked = sum(cell.marked for cell in figures.stages)
    assert marked == Attendance.objects.filter(stage__programme=programme).count()
    workshops = figures.stages[0]
    assert workshops.people_entered == made["people"]
    assert workshops.entered == Enrolment.objects.filter(session__stage=workshops.stage).count()
    assert figures.exits_total == Exit.objects.filter(programme=programme).count() > 0
    by_status = dict(
        Attendance.objects.filter(stage=workshops.stage).values_list("status").annotate(n=Count("*"))
    )
    assert workshops.present == by_status.get("present", 0)
    # The sequences moved past the written ids: the actions still create sessions.
    session = actions.schedule_session(
        stage=workshops.stage,
        structure=a,
        actor=None,
        slots=[(timezone.now(), timezone.now() + timedelta(hours=1))],
        capacity=5,
    )
    assert session.pk > made["sessions"]

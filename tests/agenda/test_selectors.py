"""Reads that the agenda pages and the API share (jalon.agenda.selectors)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from jalon.agenda import selectors
from jalon.agenda.models import Appointment, AppointmentKind, Participant, Permanence, Place
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _appointment(structure, starts_at, **extra):
    return Appointment.objects.create(
        structure=structure, title="RDV", starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), **extra
    )


def test_week_and_range_stay_inside_the_structure_and_the_dates(personas):
    a, b = personas.structure_a, personas.structure_b
    monday = date(2030, 3, 4)
    inside = _appointment(a, _at(monday, 9))
    sunday = _appointment(a, _at(monday + timedelta(days=6), 23))
    _appointment(a, _at(monday + timedelta(days=7), 0))  # next Monday, midnight
    _appointment(a, _at(monday - timedelta(days=1), 23))
    _appointment(b, _at(monday, 9))
    assert [x.pk for x in selectors.week(a, monday)] == [inside.pk, sunday.pk]
    assert {x.pk for x in selectors.appointments_between(a, monday, monday)} == {inside.pk}
    assert not selectors.week(None, monday).exists()


def test_rota_of_week_counts_the_booked_slots_of_that_week(personas):
    a, b = personas.structure_a, personas.structure_b
    monday = date(2030, 3, 4)
    place = Place.objects.create(structure=a, name="Bureau")
    permanence = Permanence.objects.create(
        place=place,
        host=b,
        label="Accueil B",
        weekday=1,
        start_time=time(9),
        end_time=time(12),
        valid_from=monday - timedelta(days=30),
    )
    _appointment(b, _at(monday + timedelta(days=1), 9), permanence=permanence)
    _appointment(b, _at(monday + timedelta(days=8), 9), permanence=permanence)
    _appointment(b, _at(monday + timedelta(days=1), 10), permanence=permanence, cancelled_at=timezone.now())
    for structure in (a, b):  # the place's owner and the host both see the rota
        rota = list(selectors.rota_of_week(structure, monday))
        assert [(p.pk, p.booked) for p in rota] == [(permanence.pk, 1)]
    assert not selectors.rota_of_week(StructureFactory(), monday).exists()


def test_free_slots_are_the_held_permanences_only(personas):
    a, b = personas.structure_a, personas.structure_b
    tomorrow = timezone.localdate() + timedelta(days=1)
    place = Place.objects.create(structure=a, name="Bureau")
    Permanence.objects.create(
        place=place,
        host=b,
        label="Accueil B",
        weekday=tomorrow.weekday(),
        start_time=time(9),
        end_time=time(10),
        valid_from=tomorrow,
    )
    # A keeps the place's rota but does not hold the permanence: no slot to book for A.
    assert selectors.free_slots(a, start=tomorrow, days=1) == []
    assert len(selectors.free_slots(b, start=tomorrow, days=1)) == 2


def test_person_appointments_are_those_the_structure_holds(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    soon = timezone.now() + timedelta(days=2)
    own = Participant.objects.create(appointment=_appointment(a, soon), person=person_a, first_name="A")
    Participant.objects.create(appointment=_appointment(b, soon), person=person_a, first_name="A")
    assert [p.pk for p in selectors.person_appointments(person_a, a)] == [own.pk]
    assert selectors.upcoming_with(a, person=person_a) == own
    collective = _appointment(a, soon, kind=AppointmentKind.COLLECTIVE, capacity=5)
    _appointment(b, soon, kind=AppointmentKind.COLLECTIVE, capacity=5)
    assert [x.pk for x in selectors.open_collective(a)] == [collective.pk]

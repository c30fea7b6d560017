"""The programmes demo: no session on a day nobody works, and workshop stages that read as a
catalogue. Loaded on a chosen day, with just the structures and people it needs."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from jalon.demo import programmes as demo
from jalon.demo.data import Tally
from jalon.programmes.models import Session, Slot
from tests.factories import PersonFactory, StructureFactory

PEOPLE = {
    "POP": 30,
    "O'Clock": 10,
    "Les petits débrouillards Bretagne": 45,
    "IMT Atlantique": 0,
    "Hauts de Garonne Développement": 12,
    "WeTechCare": 0,
    "Campus Vitamine T": 9,
    "FAS Grand Est": 9,
    "Inter-Réseaux IAE Occitanie": 9,
    "Form'Ain Cube": 8,
}


def test_closed_days_are_sundays_and_the_year_end_holidays():
    assert [demo.closed(date(2026, 12, d)) for d in (23, 24, 25, 26, 27, 31)] == [
        False,
        True,
        True,
        False,
        True,  # a Sunday
        True,
    ]
    assert demo.closed(date(2027, 1, 1)) and not demo.closed(date(2027, 1, 2))
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        moved = demo.open_day(day)
        assert not demo.closed(moved) and timedelta(0) <= moved - day <= timedelta(days=3)
        day += timedelta(days=1)


@pytest.mark.django_db
def test_demo_loaded_just_before_christmas_has_no_session_on_a_closed_day():
    # Loaded on Monday 21 December: Ensemble's next workshops (in 3 and 10 days) would fall on
    # 24 and 31 December, Défi's next one (in 5 days) on Saturday 26th, and so on.
    today = date(2026, 12, 21)
    structures = {}
    for name, n in PEOPLE.items():
        structures[name] = StructureFactory(name=name)
        for k in range(n):
            PersonFactory(structure=structures[name], gender="F" if k % 2 == 0 else "M")
    demo.load(Tally(), structures, today=today)

    days = {timezone.localtime(s).date() for s in Slot.objects.values_list("starts_at", flat=True)}
    days |= set(Session.objects.values_list("starts_on", flat=True))
    assert days and not [d for d in days if demo.closed(d)]
    assert Session.objects.filter(starts_on__gt=today, starts_on__lte=date(2027, 1, 2)).exists()

    # Workshop stages read as catalogues: every session has a title and a topic, several differ.
    for programme in ("Ensemble à 100 %", "Défi Insertion"):
        sessions = Session.objects.filter(stage__programme__name__startswith=programme, stage__position=1)
        titles = set(sessions.values_list("title", flat=True))
        assert sessions.exists() and not sessions.filter(title="").exists()
        assert not sessions.filter(topic="").exists() and len(titles) >= 4
    assert "Créer sa boîte mail" in set(Session.objects.values_list("title", flat=True))
    series = Session.objects.filter(stage__programme__name="Oser coder", stage__position=1)
    assert series.filter(title="Oser coder : développeur·se web").exists()
    assert not Slot.objects.filter(session__in=series, title="").exists()

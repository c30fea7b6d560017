"""The home page's "à faire": every count in one query, the same lines and figures as one count each."""

import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jalon.agenda.models import Appointment, Outcome, Participant
from jalon.pagination import capped_count, capped_counts
from jalon.people.models import Consent, ConsentPurpose, Person
from jalon.referrals.models import Orientation, OrientationStatus, OrientationTarget, Referral, ReferralStatus
from jalon.www.home.todo import Counted, TodoItem, todo_for
from tests.referrals.test_pages import text

pytestmark = pytest.mark.django_db


def _people(structure, referent, count):
    people = [
        Person(structure=structure, referent=referent, first_name=f"P{i}", last_name=f"Nom{i}")
        for i in range(count)
    ]
    for person in people:
        person.refresh_search_fields()
    return Person.objects.bulk_create(people)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_capped_counts_equal_one_capped_count_each(personas, seed):
    rng = random.Random(seed)
    a, worker = personas.structure_a, personas.case_worker_a.user
    people = _people(a, worker, rng.randrange(0, 30))
    Consent.objects.bulk_create(
        Consent(person=p, purpose=ConsentPurpose.ACCOMPANIMENT, method="oral")
        for p in people
        if rng.random() < 0.5
    )
    mine = Person.objects.filter(structure=a, referent=worker)
    querysets = [
        mine,
        mine.filter(consents__purpose=ConsentPurpose.ACCOMPANIMENT),
        Person.objects.filter(consents__isnull=False).distinct(),  # a join made distinct
        mine.filter(pk__in=[]),  # nothing to ask the database
        Person.objects.filter(structure=personas.structure_b),
    ]
    caps = [rng.choice([None, 0, 1, 5, 10, 99]) for _ in querysets]
    with CaptureQueriesContext(connection) as queries:
        got = capped_counts(list(zip(querysets, caps, strict=True)))
    assert len(queries) == 1
    expected = [
        (queryset.count(), False) if cap is None else capped_count(queryset, cap=cap)
        for queryset, cap in zip(querysets, caps, strict=True)
    ]
    assert got == expected
    assert capped_counts([]) == []


def test_lines_counting_zero_are_dropped_the_others_keep_their_order(personas, monkeypatch):
    from jalon.www.home import todo

    a = personas.structure_a
    _people(a, personas.case_worker_a.user, 3)
    mine = Person.objects.filter(structure=a)
    monkeypatch.setattr(
        todo,
        "PROVIDERS",
        [
            lambda m, u: [Counted("vide", mine.none(), "/a"), TodoItem("fixe", 1, False, "/b")],
            lambda m, u: [
                Counted("trois", mine, "/c", "warning", cap=2),
                Counted("exact", mine, "/d", cap=None),
            ],
        ],
    )
    assert todo_for(personas.case_worker_a, personas.case_worker_a.user) == [
        TodoItem("fixe", 1, False, "/b"),
        TodoItem("trois", 2, True, "/c", "warning"),
        TodoItem("exact", 3, False, "/d"),
    ]


def test_case_worker_home_counts_every_line_in_one_query(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    worker = personas.case_worker_a.user
    now = timezone.now()
    people = _people(a, worker, 4)  # no accompaniment consent
    Referral.objects.bulk_create(
        Referral(
            structure=a,
            first_name="Inès",
            contact_consent_at=now,
            consent_text_version="test",
            status=ReferralStatus.NEW,
            assigned_to=worker if i % 2 else None,
        )
        for i in range(5)
    )
    midnight = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time())
    )
    for starts_at, pending in (
        (midnight + (now - midnight) / 2, 0),
        (now - timedelta(days=2), 2),
        (now - timedelta(days=40), 1),
    ):
        appointment = Appointment.objects.create(
            structure=a,
            organiser=worker,
            title="RDV",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=1),
        )
        for person in people[:pending]:  # two pending participants: the appointment still counts once
            Participant.objects.create(appointment=appointment, person=person, outcome=Outcome.PENDING)
    for source, target, created in ((b, a, now), (a, b, now - timedelta(days=20)), (a, b, now)):
        Orientation.objects.create(
            person=person_a,
            from_structure=source,
            from_user=worker if source == a else None,
            target_kind=OrientationTarget.STRUCTURE,
            target_structure=target,
            target_label="Atelier",
            motive="Test",
            share_contact=False,
            status=OrientationStatus.PROPOSED,
            created_at=created,
            status_changed_at=created,
        )
    client = personas.client_for(personas.case_worker_a)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        page = text(client.get(reverse("home"))).lower()
    counting = [q["sql"] for q in queries.captured_queries if "capped_" in q["sql"]]
    assert len(counting) == 1
    for line in (
        "4 personnes que vous suivez sans accord d'accompagnement enregistré",
        "2 demandes qui vous sont confiées attendent un premier appel",
        "3 nouvelles demandes ne sont confiées à personne",
        "1 rendez-vous aujourd'hui",
        "1 rendez-vous passés dont la présence n'est pas notée",
        "1 orientations reçues attendent votre réponse",
        "1 orientations envoyées sans réponse depuis plus de 10 jours",
    ):
        number, label = line.split(" ", 1)
        shown = re.search(re.escape(label) + r'</a>\s*<span class="badge[^"]*">(\d+)<', page)
        assert shown and shown.group(1) == number, line
    assert "dossiers sans contact depuis longtemps" not in page  # counts zero: not shown

"""Demo of the agenda, loaded by jalon.demo.data.load() after structures and people.

Gare à idées' shared office at la Caserne in Poitiers: four partner structures hold weekly
permanences (the CRESS, France Active, Aceascop, Consortium Coopérative) next to Gare à idées'
own "point de situation"; four weeks of past appointments with their attendance and three weeks
ahead, plus a collective information session. RE-PAIR gets first-welcome appointments for its
referrals. Idempotent (keyed on place name, permanence day and hour, appointment start and title);
no message is queued.
"""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from jalon.agenda.models import Appointment, AppointmentKind, Outcome, Participant, Permanence, Place
from jalon.people.models import Person
from jalon.referrals import actions as referral_actions
from jalon.referrals.models import Referral, ReferralSource, ReferralStatus
from jalon.structures.models import Commune
from jalon.text import normalize

from .data import _mobile, demo_email, stable_seed

# (host, label, weekday, start, end, slot minutes)
ROTA = [
    ("Gare à idées", "Point de situation création d'activité", 0, time(9), time(12), 45),
    ("CRESS Nouvelle-Aquitaine", "Entreprendre en ESS", 1, time(9), time(12), 45),
    ("France Active Nouvelle-Aquitaine", "Financer son projet", 2, time(14), time(17), 60),
    ("Aceascop", "Tester son activité en coopérative (CAE)", 3, time(9), time(12), 60),
    ("Consortium Coopérative", "Entrepreneur·e salarié·e en CAE", 4, time(14), time(17), 60),
]
FIRST_NAMES = [
    "Awa",
    "Julien",
    "Mélissa",
    "Bastien",
    "Yasmina",
    "Hervé",
    "Clémence",
    "Idriss",
    "Manon",
    "Sékou",
]
WEEKS_BEFORE, WEEKS_AFTER = 4, 3


def load(tally, structures: dict) -> None:
    """Idempotent: keyed on natural keys, a second run creates nothing. Counts go to `tally`."""
    gare = structures["Gare à idées"]
    poitiers = Commune.objects.filter(code="86194").first()
    place, made = Place.objects.get_or_create(
        structure=gare,
        name="Bureau partagé de la Gare à idées",
        defaults={
            "address": "La Caserne",
            "commune": poitiers,
            "access_notes": "Rez-de-chaussée, accès de plain-pied ; bus arrêt Caserne.",
        },
    )
    tally.add("lieux", made)
    today = timezone.localdate()
    rng = random.Random(stable_seed("demo-agenda"))
    taken = set(Referral.objects.values_list("phone", flat=True))
    for host_name, label, weekday, start, end, minutes in ROTA:
        host = structures[host_name]
        permanence, made = Permanence.objects.get_or_create(
            place=place,
            host=host,
            weekday=weekday,
            start_time=start,
            defaults={
                "label": label,
                "end_time": end,
                "slot_minutes": minutes,
                "valid_from": today - timedelta(days=120),
            },
        )
        tally.add("permanences", made)
        _fill(tally, host, permanence, rng, taken, today)
    _collective(tally, gare, place, today)
    _repair_first_welcome(tally, structures["Transitions 64"], rng, today)


def _participant_source(host, rng, taken, index, people):
    """A file of the host if it has some, else a referral the host noted (orientation received)."""
    if index < len(people):
        return {"person": people[index]}
    first_name = FIRST_NAMES[index % len(FIRST_NAMES)]
    referral = Referral.objects.create(
        structure=host,
        source=ReferralSource.STAFF,
        first_name=first_name,
        search_name=normalize(first_name),
        phone=_mobile(rng, taken),
        needs=["creation"],
        message="Orienté·e par la Gare à idées après le point de situation.",
        contact_consent_at=timezone.now() - timedelta(days=40),
        consent_text_version=referral_actions.CONTACT_CONSENT_TEXT[0],
        status=ReferralStatus.APPOINTMENT,
    )
    return {"referral": referral}


def _outcome(starts_at, rng) -> str:
    if starts_at > timezone.now():
        return Outcome.PENDING
    draw = rng.randrange(20)  # about 15 % absent, 10 % excused
    return Outcome.ABSENT if draw < 3 else Outcome.EXCUSED if draw < 5 else Outcome.SEEN


def _fill(tally, host, permanence, rng, taken, today):
    made = already = 0
    people = list(Person.objects.filter(structure=host).order_by("pk")[:60])
    for offset in range(-7 * WEEKS_BEFORE, 7 * WEEKS_AFTER):
        day = today + timedelta(days=offset)
        for slot in permanence.slots_on(day):
            # One generator per slot: a second run makes the same choices, whatever it skips.
            rng = random.Random(stable_seed("demo-slot", str(permanence.pk), slot.isoformat()))
            if rng.random() > 0.55:
                continue
            if Appointment.objects.filter(permanence=permanence, starts_at=slot).exists():
                already += 1
                continue
            appointment = Appointment.objects.create(
                structure=host,
                title=permanence.label,
                starts_at=slot,
                ends_at=slot + timedelta(minutes=permanence.slot_minutes),
                place=permanence.place,
                permanence=permanence,
                created_at=slot - timedelta(days=rng.randrange(3, 15)),
            )
            source = _participant_source(host, rng, taken, made, people)
            who = source.get("person") or source.get("referral")
            outcome = _outcome(slot, rng)
            Participant.objects.create(
                appointment=appointment,
                first_name=who.first_name,
                last_name=who.last_name,
                phone=who.phone,
                email=who.email,
                outcome=outcome,
                outcome_at=slot + timedelta(hours=1) if outcome != Outcome.PENDING else None,
                invited_at=appointment.created_at,
                reminded_at=slot - timedelta(days=2) if slot - timedelta(days=2) < timezone.now() else None,
                created_at=appointment.created_at,
                **source,
            )
            made += 1
    tally.add("rendez-vous", made, already)


def _collective(tally, gare, place, today):
    day = today + timedelta(days=(3 - today.weekday()) % 7 + 7)  # Thursday after next
    starts_at = datetime.combine(day, time(14), tzinfo=timezone.get_current_timezone())
    appointment, made = Appointment.objects.get_or_create(
        structure=gare,
        starts_at=starts_at,
        title="Information collective : créer son activité",
        defaults={
            "kind": AppointmentKind.COLLECTIVE,
            "ends_at": starts_at + timedelta(hours=2),
            "place": place,
            "capacity": 12,
            "location_note": "Grande salle",
        },
    )
    tally.add("rendez-vous collectifs", made)
    if made:
        for person in Person.objects.filter(structure=gare).order_by("-pk")[:7]:
            Participant.objects.create(
                appointment=appointment,
                person=person,
                first_name=person.first_name,
                last_name=person.last_name,
                phone=person.phone,
                email=person.email,
            )


def _repair_first_welcome(tally, repair, rng, today):
    """RE-PAIR's facilitator meets the people referred to them: appointments for 'rdv' referrals."""
    facilitator = get_user_model().objects.get(email=demo_email("cip.transitions64"))
    made = already = 0
    referrals = Referral.objects.filter(structure=repair, status=ReferralStatus.APPOINTMENT).order_by("pk")[
        :12
    ]
    for index, referral in enumerate(referrals):
        day = today + timedelta(days=index % 9 - 2)
        if day.weekday() >= 5:
            day += timedelta(days=2)
        starts_at = datetime.combine(
            day, time(9 + index % 8, 30 if index >= 8 else 0), tzinfo=timezone.get_current_timezone()
        )
        if Appointment.objects.filter(
            structure=repair, starts_at=starts_at, title="Premier accueil"
        ).exists():
            already += 1
            continue
        appointment = Appointment.objects.create(
            structure=repair,
            title="Premier accueil",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=45),
            location_note="Locaux de Transitions 64, Mourenx",
            organiser=facilitator,
        )
        outcome = _outcome(starts_at, rng)
        Participant.objects.create(
            appointment=appointment,
            referral=referral,
            first_name=referral.first_name,
            last_name=referral.last_name,
            phone=referral.phone,
            email=referral.email,
            outcome=outcome,
            outcome_at=starts_at + timedelta(hours=1) if outcome != Outcome.PENDING else None,
        )
        made += 1
    tally.add("premiers accueils RE-PAIR", made, already)

"""Access-matrix entries for the agenda screens and API (merged by tests/test_access_matrix.py)."""

from datetime import time, timedelta

from django.db.models import Count, Max, Sum
from django.utils import timezone

from jalon.agenda import actions
from jalon.agenda.models import Appointment, AppointmentKind, Participant, Permanence, Place
from jalon.audit.models import AuditEvent
from jalon.notifications.models import OutboxMessage
from jalon.referrals.actions import create_referral
from jalon.referrals.models import ReferralSource

from ..factories import PersonFactory
from .core import MISSING, OBJECT_SITUATIONS, Rule, Target

TWO_ID_SITUATIONS = {
    "own": None,
    "other": "missing",
    "missing": None,
    # A's own first id with, in the second parameter, the id of B's object, then a missing one.
    "own_foreign": "own_missing",
    "own_missing": None,
}


def _sides(personas, situation):
    if situation in ("other",):
        return personas.structure_b
    return personas.structure_a


def _collective(structure, *, with_participant=False):
    start = timezone.now() + timedelta(days=3)
    appointment = actions.schedule(
        structure=structure,
        actor=None,
        title="Information collective",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        kind=AppointmentKind.COLLECTIVE,
        capacity=10,
    )
    participant = None
    if with_participant:
        referral = create_referral(
            structure=structure,
            referrer=None,
            source=ReferralSource.STAFF,
            data={"first_name": "Lina", "phone": "06 12 34 56 78", "contact_consent": True},
        )
        participant = actions.add_participant(
            appointment=appointment, structure=structure, actor=None, referral=referral, invite=False
        )
    return appointment, participant


def appointment_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    appointment, _ = _collective(_sides(personas, situation), with_participant=True)
    return Target({"object": appointment.pk})


def participant_target(personas, situation, actor):
    """Appointment id, then participant id (own_foreign: B's participant under A's appointment)."""
    if situation == "missing":
        return Target({"object": MISSING, "participant": MISSING})
    appointment, participant = _collective(_sides(personas, situation), with_participant=True)
    participant_id = participant.pk
    if situation == "own_foreign":
        participant_id = _collective(personas.structure_b, with_participant=True)[1].pk
    elif situation == "own_missing":
        participant_id = MISSING
    return Target({"object": appointment.pk, "participant": participant_id})


def person_collective_target(personas, situation, actor):
    """A person file, then a collective appointment to join (own_foreign: B's appointment)."""
    if situation == "missing":
        return Target({"object": MISSING, "appointment": MISSING})
    structure = _sides(personas, situation)
    person = PersonFactory(structure=structure)
    appointment, _ = _collective(structure)
    appointment_id = appointment.pk
    if situation == "own_foreign":
        appointment_id = _collective(personas.structure_b)[0].pk
    elif situation == "own_missing":
        appointment_id = MISSING
    return Target({"object": person.pk, "appointment": appointment_id}, person)


def _place(structure, name):
    return Place.objects.get_or_create(structure=structure, name=name)[0]


def place_target(personas, situation, actor):
    """own: A's place; hosted: B's place where A holds a permanence; other: B's place only."""
    if situation == "missing":
        return Target({"object": MISSING})
    if situation == "own":
        # A fresh place each time: the same permanence posted twice would overlap.
        return Target({"object": _place(personas.structure_a, f"Tiers-lieu A{Place.objects.count()}").pk})
    place = _place(personas.structure_b, f"Lieu B {situation}")
    if situation == "hosted":
        Permanence.objects.get_or_create(
            place=place,
            host=personas.structure_a,
            weekday=2,
            start_time=time(9),
            defaults={"label": "Permanence de A", "end_time": time(12), "valid_from": timezone.localdate()},
        )
    return Target({"object": place.pk})


def permanence_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    structure = _sides(personas, situation)
    place = _place(structure, "Tiers-lieu")
    permanence, _ = Permanence.objects.get_or_create(
        place=place,
        host=structure,
        weekday=1,
        start_time=time(14),
        defaults={
            "label": "Accueil",
            "end_time": time(17),
            "valid_from": timezone.localdate() - timedelta(days=7),
        },
    )
    Permanence.objects.filter(pk=permanence.pk).update(valid_until=None)
    return Target({"object": permanence.pk})


PERMANENCE_BODY = {
    "label": "Accueil",
    "weekday": 4,
    "start_time": "09:00",
    "end_time": "10:00",
    "slot_minutes": 30,
    "valid_from": "2026-11-02",
}
EDIT_BODY = {"day": "2099-06-01", "start": "10:00", "duration": 60, "title": "Information collective"}
FAMILIES = {
    "appointment": (appointment_target, OBJECT_SITUATIONS),
    "participant": (participant_target, TWO_ID_SITUATIONS),
    "person_collective": (person_collective_target, TWO_ID_SITUATIONS),
    "place": (place_target, {"own": None, "hosted": None, "other": "missing", "missing": None}),
    "permanence": (permanence_target, OBJECT_SITUATIONS),
}
PARAMS = {
    "participant_pk": "participant",
    "participant_id": "participant",
    "appointment_pk": "appointment",
    "appointment_id": "object",
}
REGISTRY = {
    "appointment_detail": Rule("appointment", ["get"], ("people.view",)),
    "appointment_ics": Rule("appointment", ["get"], ("people.view",)),
    "appointment_cancel": Rule("appointment", ["post"], ("people.edit",), writes=True),
    "appointment_outcome": Rule(
        "participant", ["post"], ("people.edit",), writes=True, body={"outcome": "excuse"}
    ),
    # A partner holding a permanence at the place sees it; only the owner changes its rota.
    "place_detail": Rule("place", ["get"], ("people.view",), also=("hosted",)),
    "place_permanence_add": Rule("place", ["post"], ("structure.manage",), writes=True, body=PERMANENCE_BODY),
    "permanence_end": Rule(
        "permanence", ["post"], ("structure.manage",), writes=True, body={"last_day": "2099-12-31"}
    ),
    "person_appointments": Rule("person", ["get"], ("people.view",), reads_shared=True),
    "person_appointment_join": Rule("person_collective", ["post"], ("people.edit",), writes=True),
    "person_booking_link": Rule("person", ["post"], ("people.edit",), writes=True),
    "referral_booking_link": Rule("referral", ["post"], ("people.edit",), writes=True),
    "appointment_edit": Rule("appointment", ["get", "post"], ("people.edit",), writes=True, body=EDIT_BODY),
    "api:get_appointment": Rule("appointment", ["get"], ("people.view",)),
    "api:update_appointment": Rule(
        "appointment",
        ["patch"],
        ("people.view", "people.edit"),
        writes=True,
        body={"starts_at": "2099-06-01T10:00:00+02:00"},
    ),
    "api:record_outcome": Rule(
        "participant", ["post"], ("people.view", "people.edit"), writes=True, body={"outcome": "excuse"}
    ),
    "api:cancel_appointment": Rule("appointment", ["post"], ("people.view", "people.edit"), writes=True),
}
NOT_TENANT = {
    "public_booking": "public link carrying a signed token; tested in tests/agenda/",
    "public_booking_ics": "public link carrying a signed token; tested in tests/agenda/",
}
FINGERPRINTS = [
    lambda: Appointment.objects.aggregate(
        n=Count("pk"), cancelled=Count("cancelled_at"), moved=Sum("version")
    ),
    lambda: Participant.objects.aggregate(n=Count("pk"), noted=Max("outcome_at")),
    lambda: tuple(Permanence.objects.order_by("pk").values_list("valid_until", flat=True)),
    lambda: Place.objects.count(),
    lambda: AuditEvent.objects.filter(detail="lien de prise de rendez-vous envoyé").count(),
    lambda: OutboxMessage.objects.filter(purpose="rdv_lien").count(),
]

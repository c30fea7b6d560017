"""Reads of the agenda that the pages and the API share: places, rota, free slots, a week's or a
person's appointments. Writes are in actions/; these functions change nothing."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .models import Appointment, AppointmentKind, Outcome, Participant, Permanence, Place

BOOKING_HORIZON_DAYS = 21
# Booking a slot that starts in less than this is left to a phone call.
BOOKING_NOTICE = timedelta(hours=2)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


# --- Places and rota ---------------------------------------------------------------------------


def places_for(structure):
    """The places a structure may use: its own, and those where it holds a permanence."""
    return Place.objects.for_structure(structure)


def rota_for(structure):
    """Permanences the structure sees: held at its places (the rota it keeps) or held by itself."""
    return Permanence.objects.for_structure(structure).select_related("place", "host")


def rota_of_week(structure, monday: date):
    """The permanences running in the week of `monday`, each with how many slots are booked."""
    start, end = local_midnight(monday), local_midnight(monday + timedelta(days=7))
    return (
        rota_for(structure)
        .filter(valid_from__lt=monday + timedelta(days=7))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=monday))
        .annotate(
            booked=Count(
                "appointments",
                filter=Q(
                    appointments__starts_at__gte=start,
                    appointments__starts_at__lt=end,
                    appointments__cancelled_at__isnull=True,
                ),
            )
        )
    )


# --- Slots -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    permanence: Permanence
    starts_at: datetime

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.permanence.slot_minutes)

    @property
    def key(self) -> str:
        return f"{self.permanence.pk}:{int(self.starts_at.timestamp())}"


def free_slots(structure, *, start: date, days: int, self_booking: bool = False, now=None) -> list[Slot]:
    """Free slots of the permanences the structure holds, in two queries whatever the range."""
    now = now or timezone.now()
    end = start + timedelta(days=days)
    permanences = (
        Permanence.objects.held_by(structure)
        .filter(valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
    )
    if self_booking:
        permanences = permanences.filter(self_booking=True)
    permanences = list(permanences.select_related("place", "place__commune"))
    if not permanences:
        return []
    taken = set(
        Appointment.objects.filter(
            permanence__in=permanences,
            cancelled_at__isnull=True,
            starts_at__gte=local_midnight(start),
            starts_at__lt=local_midnight(end),
        ).values_list("permanence_id", "starts_at")
    )
    earliest = now + (BOOKING_NOTICE if self_booking else timedelta(0))
    slots = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        for permanence in permanences:
            for starts_at in permanence.slots_on(day):
                if starts_at > earliest and (permanence.pk, starts_at) not in taken:
                    slots.append(Slot(permanence, starts_at))
    slots.sort(key=lambda slot: (slot.starts_at, slot.permanence.pk))
    return slots


def parse_slot(structure, key: str, *, self_booking: bool = False, now=None) -> Slot:
    """A slot chosen in a form: it must be one of the structure's permanences, real and to come."""
    error = ValidationError("Ce créneau n'existe pas ou n'est plus proposé. Choisissez-en un autre.")
    try:
        permanence_id, stamp = (int(part) for part in key.split(":"))
        starts_at = datetime.fromtimestamp(stamp, tz=timezone.get_current_timezone())
    except (ValueError, OverflowError, OSError) as exc:
        raise error from exc
    permanence = (
        Permanence.objects.held_by(structure)
        .select_related("place", "place__commune")
        .filter(pk=permanence_id)
        .first()
    )
    if permanence is None or (self_booking and not permanence.self_booking):
        raise error
    if starts_at not in permanence.slots_on(starts_at.date()):
        raise error
    now = now or timezone.now()
    if starts_at <= now + (BOOKING_NOTICE if self_booking else timedelta(0)):
        raise ValidationError("Ce créneau est déjà passé. Choisissez-en un autre.")
    return Slot(permanence, starts_at)


# --- Appointments ------------------------------------------------------------------------------


def appointments_between(structure, first: date, last: date):
    """The structure's appointments from the morning of `first` to the evening of `last`."""
    return Appointment.objects.for_structure(structure).filter(
        starts_at__gte=local_midnight(first), starts_at__lt=local_midnight(last + timedelta(days=1))
    )


def week(structure, monday: date):
    """A week of the structure's agenda, with the participants the page lists."""
    return (
        appointments_between(structure, monday, monday + timedelta(days=6))
        .select_related("place", "organiser")
        .prefetch_related(Prefetch("participants", queryset=Participant.objects.order_by("pk")))
        .order_by("starts_at", "pk")
    )


def open_collective(structure, *, now=None):
    """The structure's collective appointments still to come, with the seats taken."""
    return (
        Appointment.objects.for_structure(structure)
        .filter(
            kind=AppointmentKind.COLLECTIVE, starts_at__gt=now or timezone.now(), cancelled_at__isnull=True
        )
        .annotate(taken=Count("participants"))
        .order_by("starts_at", "pk")
    )


# --- A person's appointments -------------------------------------------------------------------


def participations_of(person):
    """A person's appointments, booked for their file or for a referral welcomed into it since."""
    return Participant.objects.of_person(person)


def person_appointments(person, structure):
    """The person's appointments held by `structure`: a partner that reads the shared file does
    not see the appointments the referent structure holds."""
    return (
        Participant.objects.for_structure(structure)
        .of_person(person)
        .select_related("appointment", "appointment__place")
        .order_by("-appointment__starts_at")
    )


def upcoming_for(*, person=None, referral=None, now=None):
    now = now or timezone.now()
    participants = (
        participations_of(person) if person else Participant.objects.filter(referral=referral)
    ).filter(appointment__cancelled_at__isnull=True, appointment__starts_at__gt=now, outcome=Outcome.PENDING)
    return participants.select_related("appointment__structure", "appointment__place__commune").order_by(
        "appointment__starts_at"
    )


def upcoming_with(structure, *, person=None, referral=None):
    """The next appointment the person (or referral) has with `structure`, or None."""
    return upcoming_for(person=person, referral=referral).filter(appointment__structure=structure).first()

"""Writes of appointments: schedule, note a past one, participants, outcomes, cancel, move."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jalon.audit.actions import record, record_person_reads
from jalon.audit.models import Action
from jalon.people.models import PersonEvent
from jalon.referrals.models import Referral, ReferralStatus
from jalon.text import gendered, long_date

from ..models import Appointment, AppointmentKind, Outcome, Participant, Permanence, Place
from ..selectors import (
    places_for,
)
from .messages import send_message


def file_id(participant: Participant) -> int | None:
    """The person file a participation belongs to, directly or through its welcomed referral."""
    if participant.person_id:
        return participant.person_id
    if participant.referral_id:
        return participant.referral.person_id
    return None


def record_reads(*, actor, structure, participants, detail: str, via: str | None = None) -> None:
    """One read event per person file shown among `participants`, written in one statement."""
    record_person_reads(
        actor=actor,
        structure=structure,
        person_ids=[p.person_id for p in participants],
        detail=detail,
        via=via,
    )


# --- Appointments ------------------------------------------------------------------------------


PAST_DATE = (
    "Cette date est déjà passée. Choisissez une date à venir, "
    "ou utilisez « Noter un rendez-vous passé » pour un rendez-vous qui a déjà eu lieu."
)
NOT_YET = "Ce rendez-vous n'a pas encore eu lieu : fixez-le plutôt comme un nouveau rendez-vous."


def _appointment_errors(*, structure, title, starts_at, ends_at, place) -> dict:
    errors = {}
    if not title:
        errors["title"] = "Indiquez l'objet du rendez-vous."
    if ends_at <= starts_at:
        errors["ends_at"] = "La fin doit être après le début."
    elif ends_at - starts_at > timedelta(hours=12):
        errors["ends_at"] = "Un rendez-vous dure au plus 12 heures."
    if place is not None and not places_for(structure).filter(pk=place.pk).exists():
        errors["place"] = "Ce lieu n'est pas l'un des vôtres."
    return errors


def _check_organiser(structure, organiser) -> dict:
    if (
        organiser is not None
        and not organiser.memberships.filter(structure=structure, is_active=True).exists()
    ):
        return {"organiser": "Cette personne ne fait pas partie de la structure."}
    return {}


@transaction.atomic
def schedule(
    *,
    structure,
    actor,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = AppointmentKind.INDIVIDUAL,
    place: Place | None = None,
    permanence: Permanence | None = None,
    capacity: int = 1,
    location_note: str = "",
    organiser=None,
    via: str | None = None,
    now: datetime | None = None,
    _already_held: bool = False,
) -> Appointment:
    """An appointment to come. One that already took place goes through record_past_appointment,
    which sends nothing: an invitation announcing a past date is what people used to receive."""
    title = (title or "").strip()
    errors = _appointment_errors(
        structure=structure, title=title, starts_at=starts_at, ends_at=ends_at, place=place
    )
    now = now or timezone.now()
    if _already_held and starts_at > now:
        errors["starts_at"] = NOT_YET
    elif not _already_held and starts_at <= now:
        errors["starts_at"] = PAST_DATE
    if permanence is not None and permanence.host_id != structure.pk:
        errors["permanence"] = "Cette permanence n'est pas tenue par votre structure."
    if kind == AppointmentKind.INDIVIDUAL:
        capacity = 1
    elif not 1 <= capacity <= 500:
        errors["capacity"] = "Indiquez un nombre de places entre 1 et 500."
    errors.update(_check_organiser(structure, organiser))
    if errors:
        raise ValidationError(errors)
    if permanence is not None and place is None:
        place = permanence.place
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                structure=structure,
                kind=kind,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                permanence=permanence,
                capacity=capacity,
                location_note=location_note.strip(),
                organiser=organiser if organiser is not None else actor,
            )
    except IntegrityError as exc:
        raise ValidationError("Ce créneau vient d'être réservé. Choisissez-en un autre.") from exc
    record(action=Action.CREATE, actor=actor, structure=structure, obj=appointment, via=via)
    return appointment


@transaction.atomic
def record_past_appointment(
    *,
    structure,
    actor,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    person=None,
    referral: Referral | None = None,
    outcome: str = Outcome.SEEN,
    place: Place | None = None,
    location_note: str = "",
    organiser=None,
    via: str | None = None,
    now: datetime | None = None,
) -> Participant:
    """Note an appointment that already took place (seen at the front desk, by phone…).

    A separate action from schedule(): the date must be past, and nothing is sent to anyone.
    """
    if (person is None) == (referral is None):
        raise ValidationError("Indiquez la personne reçue.")
    if outcome not in (Outcome.SEEN, Outcome.EXCUSED, Outcome.ABSENT, Outcome.NOT_HELD):
        raise ValidationError({"outcome": "Choisissez vu·e, excusé·e, absent·e ou « n'a pas eu lieu »."})
    now = now or timezone.now()
    appointment = schedule(
        structure=structure,
        actor=actor,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        location_note=location_note,
        organiser=organiser,
        via=via,
        now=now,
        _already_held=True,
    )
    participant = add_participant(
        appointment=appointment,
        structure=structure,
        actor=actor,
        person=person,
        referral=referral,
        invite=False,
        via=via,
    )
    participant.appointment = appointment
    return record_outcome(
        participant=participant, structure=structure, actor=actor, outcome=outcome, now=now, via=via
    )


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("structure", "place")
        .get(pk=appointment.pk)
    )


@transaction.atomic
def add_participant(
    *,
    appointment: Appointment,
    structure,
    actor,
    person=None,
    referral: Referral | None = None,
    invite: bool = True,
    booked_by_self: bool = False,
    via: str | None = None,
) -> Participant:
    if appointment.structure_id != structure.pk:
        raise PermissionDenied
    if (person is None) == (referral is None):
        raise ValueError("exactly one of person or referral")
    if person is not None and person.structure_id != structure.pk:
        raise PermissionDenied
    if referral is not None and referral.structure_id != structure.pk:
        raise PermissionDenied
    appointment = _lock(appointment)
    if appointment.is_cancelled:
        raise ValidationError("Ce rendez-vous est annulé.")
    existing = (
        appointment.participants.filter(person=person)
        if person
        else appointment.participants.filter(referral=referral)
    )
    if existing.exists():
        raise ValidationError("Cette personne est déjà inscrite à ce rendez-vous.")
    if appointment.participants.count() >= appointment.capacity:
        raise ValidationError("Ce rendez-vous est complet.")
    source = person or referral
    participant = Participant.objects.create(
        appointment=appointment,
        person=person,
        referral=referral,
        first_name=source.first_name,
        last_name=source.last_name,
        phone=source.phone,
        email=source.email,
        booked_by_self=booked_by_self,
    )
    if referral is not None and referral.status in (ReferralStatus.NEW, ReferralStatus.CONTACTED):
        from jalon.referrals.actions import change_referral_status

        change_referral_status(
            referral=referral, structure=structure, actor=actor, status=ReferralStatus.APPOINTMENT, via=via
        )
    when = long_date(appointment.starts_at, "l j F Y à H\\hi")
    past = appointment.starts_at <= timezone.now()
    if person is not None:
        PersonEvent.objects.create(
            person=person,
            kind="appointment",
            label=f"Rendez-vous {'passé noté' if past else 'fixé'} : {appointment.title}, {when}",
            actor=actor,
            structure=structure,
        )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=participant, person=person, via=via)
    # An invitation announcing a date already gone is never sent.
    if invite and not past:
        send_message(participant, kind="invitation")
    return participant


@transaction.atomic
def record_outcome(
    *, participant: Participant, structure, actor, outcome: str, now=None, via: str | None = None
):
    appointment = participant.appointment
    if appointment.structure_id != structure.pk:
        raise PermissionDenied
    if outcome not in Outcome.values:
        raise ValidationError("Choisissez vu·e, excusé·e, absent·e ou « n'a pas eu lieu ».")
    if appointment.is_cancelled:
        raise ValidationError("Ce rendez-vous est annulé : il n'y a pas de présence à noter.")
    now = now or timezone.now()
    if outcome in (Outcome.SEEN, Outcome.ABSENT, Outcome.NOT_HELD) and appointment.starts_at > now:
        raise ValidationError("La présence se note une fois le rendez-vous commencé.")
    participant.outcome = outcome
    participant.outcome_at = now if outcome != Outcome.PENDING else None
    participant.save(update_fields=["outcome", "outcome_at"])
    person_id = file_id(participant)
    if person_id and outcome != Outcome.PENDING:
        PersonEvent.objects.create(
            person_id=person_id,
            kind="appointment_outcome",
            label=f"Rendez-vous « {appointment.title} » : {gendered(participant.get_outcome_display().lower(), participant.person)}",
            actor=actor,
            structure=structure,
        )
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=participant,
        person=participant.person or (participant.referral.person if participant.referral_id else None),
        fields=["outcome"],
        via=via,
    )
    return participant


@transaction.atomic
def cancel_appointment(
    *, appointment: Appointment, structure, actor, notify: bool = True, via: str | None = None
):
    if appointment.structure_id != structure.pk:
        raise PermissionDenied
    appointment = _lock(appointment)
    if appointment.is_cancelled:
        return appointment
    appointment.cancelled_at = timezone.now()
    appointment.save(update_fields=["cancelled_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=appointment,
        fields=["cancelled_at"],
        via=via,
    )
    if notify and appointment.starts_at > appointment.cancelled_at:
        for participant in appointment.participants.filter(outcome=Outcome.PENDING).select_related(
            "appointment__structure", "appointment__place__commune"
        ):
            send_message(participant, kind="annulation")
    return appointment


UNCHANGED = object()
# What the person is told about: a change of any of these is announced once.
TOLD_FIELDS = ("starts_at", "ends_at", "place", "location_note")


@transaction.atomic
def update_appointment(
    *,
    appointment: Appointment,
    structure,
    actor,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    title=UNCHANGED,
    place=UNCHANGED,
    location_note=UNCHANGED,
    organiser=UNCHANGED,
    permanence=UNCHANGED,
    person=None,
    referral: Referral | None = None,
    now: datetime | None = None,
    via: str | None = None,
) -> list[str]:
    """Change the date, place, staff or (individual appointment) person; returns what changed.

    The people expected are told once, through the outbox and only on the channels they agreed
    to: the version is bumped only when something they are told about changed, and it is part of
    each message's dedupe key, so saving the same values again changes and sends nothing. The
    J-2 reminder follows the new date. A past appointment may be corrected, never moved to come.
    """
    if appointment.structure_id != structure.pk:
        raise PermissionDenied
    appointment = _lock(appointment)
    if appointment.is_cancelled:
        raise ValidationError("Ce rendez-vous est annulé : fixez-en un nouveau.")
    now = now or timezone.now()
    was_past = appointment.starts_at <= now
    values = {
        "starts_at": starts_at or appointment.starts_at,
        "ends_at": ends_at or appointment.ends_at,
        "title": appointment.title if title is UNCHANGED else (title or "").strip(),
        "place": appointment.place if place is UNCHANGED else place,
        "location_note": appointment.location_note if location_note is UNCHANGED else location_note.strip(),
        "organiser": appointment.organiser if organiser is UNCHANGED else organiser,
    }
    if starts_at and not ends_at:
        values["ends_at"] = starts_at + (appointment.ends_at - appointment.starts_at)
    errors = _appointment_errors(
        structure=structure,
        title=values["title"],
        starts_at=values["starts_at"],
        ends_at=values["ends_at"],
        place=values["place"],
    )
    errors.update(_check_organiser(structure, values["organiser"]))
    moved = values["starts_at"] != appointment.starts_at
    if moved and was_past and values["starts_at"] > now:
        errors["starts_at"] = (
            "Ce rendez-vous a déjà eu lieu : on peut corriger sa date, pas la mettre à venir. "
            "Fixez plutôt un nouveau rendez-vous."
        )
    elif moved and not was_past and values["starts_at"] <= now:
        errors["starts_at"] = PAST_DATE
    if permanence is not UNCHANGED and permanence is not None and permanence.host_id != structure.pk:
        errors["permanence"] = "Cette permanence n'est pas tenue par votre structure."
    new_participant = person or referral
    current = list(appointment.participants.all()) if new_participant is not None else []
    if new_participant is not None:
        if appointment.kind != AppointmentKind.INDIVIDUAL or len(current) > 1:
            errors["person"] = "On change la personne d'un rendez-vous individuel seulement."
        elif (person is not None and person.structure_id != structure.pk) or (
            referral is not None and referral.structure_id != structure.pk
        ):
            raise PermissionDenied
    if errors:
        raise ValidationError(errors)
    if permanence is UNCHANGED:
        # Moved off its permanence's grid, the appointment gives its slot back.
        permanence = appointment.permanence
        if moved and permanence is not None:
            local_start = timezone.localtime(values["starts_at"])
            if values["starts_at"] not in permanence.slots_on(local_start.date()):
                permanence = None
    values["permanence"] = permanence
    changed = _really_changed(appointment, values)
    told = [field for field in changed if field in TOLD_FIELDS]
    if changed:
        for field in changed:
            setattr(appointment, field, values[field])
        if told:
            appointment.version += 1
            changed.append("version")
        try:
            with transaction.atomic():
                appointment.save(update_fields=changed)
        except IntegrityError as exc:
            raise ValidationError("Ce créneau vient d'être réservé. Choisissez-en un autre.") from exc
        record(
            action=Action.UPDATE, actor=actor, structure=structure, obj=appointment, fields=changed, via=via
        )
    upcoming = appointment.starts_at > now
    if told and upcoming:
        when = long_date(appointment.starts_at, "l j F Y à H\\hi")
        expected = appointment.participants.filter(outcome__in=(Outcome.PENDING, Outcome.EXCUSED))
        for participant in expected.select_related(
            "referral", "appointment__structure", "appointment__place__commune"
        ):
            # An excuse was for the old date; the reminder is for the new one.
            Participant.objects.filter(pk=participant.pk).update(
                outcome=Outcome.PENDING, outcome_at=None, reminded_at=None
            )
            participant.appointment = appointment
            send_message(participant, kind="modification")
            if file_id(participant):
                PersonEvent.objects.create(
                    person_id=file_id(participant),
                    kind="appointment",
                    label=f"Rendez-vous déplacé : {appointment.title}, {when}",
                    actor=actor,
                    structure=structure,
                )
    if new_participant is not None:
        old = current[0] if current else None
        same = old is not None and (
            (person is not None and old.person_id == person.pk)
            or (referral is not None and old.referral_id == referral.pk)
        )
        if not same:
            if old is not None:
                if upcoming and old.outcome == Outcome.PENDING:
                    old.appointment = appointment
                    send_message(old, kind="annulation")
                record(
                    action=Action.DELETE,
                    actor=actor,
                    structure=structure,
                    obj=old,
                    person=old.person,
                    via=via,
                )
                old.delete()
            add_participant(
                appointment=appointment,
                structure=structure,
                actor=actor,
                person=person,
                referral=referral,
                invite=upcoming,
                via=via,
            )
            changed.append("participant")
    return changed


def _really_changed(appointment: Appointment, values: dict) -> list[str]:
    changed = []
    for field, value in values.items():
        if field in ("place", "organiser", "permanence"):
            if getattr(appointment, f"{field}_id") != (value.pk if value is not None else None):
                changed.append(field)
        elif getattr(appointment, field) != value:
            changed.append(field)
    return changed

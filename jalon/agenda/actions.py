"""Writes of the agenda: rota, appointments, invitations with an .ics file, J-2 reminders, outcomes.

Every write is atomic and leaves its audit event; messages go through the outbox with a dedupe
key, so a job run twice sends one message and a failing provider is retried, never lost.
"""

import logging
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jalon.audit.actions import record, record_person_reads
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel
from jalon.people.actions import person_channels
from jalon.people.models import PersonEvent
from jalon.referrals.models import Referral, ReferralStatus
from jalon.structures.models import Structure
from jalon.text import gendered, long_date

from . import ics, links
from .models import Appointment, AppointmentKind, Outcome, Participant, Permanence, Place

# Reads the writes below rely on, kept importable from here for the callers of old.
from .selectors import (  # noqa: F401
    BOOKING_HORIZON_DAYS,
    BOOKING_NOTICE,
    Slot,
    free_slots,
    parse_slot,
    participations_of,
    places_for,
    rota_for,
    upcoming_for,
)

logger = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(hours=48)


def file_id(participant: Participant) -> int | None:
    """The person file a participation belongs to, directly or through its welcomed referral."""
    if participant.person_id:
        return participant.person_id
    if participant.referral_id:
        return participant.referral.person_id
    return None


def record_reads(*, actor, structure, participants, detail: str, via: str = "web") -> None:
    """One read event per person file shown among `participants`, written in one statement."""
    record_person_reads(
        actor=actor,
        structure=structure,
        person_ids=[p.person_id for p in participants],
        detail=detail,
        via=via,
    )


# --- Places and rota ---------------------------------------------------------------------------


@transaction.atomic
def create_place(
    *, structure, actor, name: str, address: str = "", commune=None, access_notes: str = ""
) -> Place:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Donnez un nom au lieu."})
    if Place.objects.owned_by(structure).filter(name__iexact=name).exists():
        raise ValidationError({"name": "Un lieu porte déjà ce nom."})
    place = Place.objects.create(
        structure=structure,
        name=name,
        address=address.strip(),
        commune=commune,
        access_notes=access_notes.strip(),
    )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=place)
    return place


def partner_ids(structure) -> set[int]:
    return set(structure.partner_structures().values_list("pk", flat=True))


@transaction.atomic
def add_permanence(*, place: Place, structure, actor, data: dict) -> Permanence:
    """The place's owner adds a weekly permanence held by itself or one of its partners."""
    if place.structure_id != structure.pk:
        raise PermissionDenied
    host = data["host"]
    if host.pk != structure.pk and host.pk not in partner_ids(structure):
        raise ValidationError({"host": "Cette structure n'est pas partenaire de la vôtre."})
    if data["end_time"] <= data["start_time"]:
        raise ValidationError({"end_time": "La fin doit être après le début."})
    if data.get("valid_until") and data["valid_until"] < data["valid_from"]:
        raise ValidationError({"valid_until": "La date de fin doit suivre la date de début."})
    overlapping = Permanence.objects.filter(
        place=place,
        weekday=data["weekday"],
        start_time__lt=data["end_time"],
        end_time__gt=data["start_time"],
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=data["valid_from"]))
    if data.get("valid_until"):
        overlapping = overlapping.filter(valid_from__lte=data["valid_until"])
    if overlapping.exists():
        raise ValidationError("Une autre permanence occupe déjà ce lieu ce jour-là à ces heures.")
    permanence = Permanence.objects.create(place=place, **data)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=permanence)
    return permanence


@transaction.atomic
def end_permanence(*, permanence: Permanence, structure, actor, last_day: date) -> Permanence:
    if permanence.place.structure_id != structure.pk:
        raise PermissionDenied
    if last_day < permanence.valid_from:
        raise ValidationError("La permanence ne peut pas finir avant d'avoir commencé.")
    permanence.valid_until = last_day
    permanence.save(update_fields=["valid_until"])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=permanence, fields=["valid_until"])
    return permanence


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
    via: str = "web",
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
    via: str = "web",
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
    via: str = "web",
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


def contact_channels(participant: Participant) -> list[tuple[str, str]]:
    """Where a participant may be written to: a referral agreed to be contacted; a file needs its consents."""
    if participant.person_id:
        return person_channels(participant.person_id, phone=participant.phone, email=participant.email)
    channels = []
    if participant.phone:
        channels.append((MessageChannel.SMS, participant.phone))
    if participant.email:
        channels.append((MessageChannel.EMAIL, participant.email))
    return channels


SUBJECTS = {
    "invitation": "Votre rendez-vous",
    "rappel": "Rappel : votre rendez-vous",
    "annulation": "Rendez-vous annulé",
    "modification": "Votre rendez-vous a changé",
}


def message_text(participant: Participant, kind: str) -> str:
    appointment = participant.appointment
    structure = appointment.structure
    when = long_date(appointment.starts_at, "l j F à H\\hi")
    where = appointment.where
    phone = structure.phone_display
    if kind == "annulation":
        text = (
            f"Bonjour {participant.first_name}, votre rendez-vous du {when} avec {structure.name} est annulé."
        )
        if phone:
            text += f" Pour en fixer un autre : {phone}."
        return text
    lead = {
        "rappel": "rappel de votre rendez-vous",
        "modification": "votre rendez-vous change. Il aura lieu",
    }.get(kind, "votre rendez-vous est fixé")
    text = f"Bonjour {participant.first_name}, {lead} avec {structure.name} le {when}"
    text += f", {where}." if where else "."
    if phone:
        text += f" Empêchement ? Appelez le {phone}."
    return text


def send_message(participant: Participant, *, kind: str) -> int:
    """Queue the invitation, reminder or cancellation on each allowed channel; returns how many."""
    appointment = participant.appointment
    sent = 0
    for channel, to in contact_channels(participant):
        attachments = []
        if channel == MessageChannel.EMAIL:
            content = ics.appointment_ics(appointment, cancelled=kind == "annulation").decode()
            attachments = [{"filename": "rendez-vous.ics", "content": content, "mimetype": "text/calendar"}]
        enqueue(
            channel=channel,
            to=to,
            subject=SUBJECTS[kind],
            body=message_text(participant, kind),
            structure=appointment.structure,
            purpose=f"rdv_{kind}",
            dedupe_key=f"rdv-{kind}-{participant.pk}-v{appointment.version}-{channel}",
            attachments=attachments,
        )
        sent += 1
    # The reminder job reads invited_at: a change told two days ahead stands for the reminder.
    if kind in ("invitation", "modification") and sent:
        Participant.objects.filter(pk=participant.pk).update(invited_at=timezone.now())
    return sent


@transaction.atomic
def record_outcome(*, participant: Participant, structure, actor, outcome: str, now=None, via: str = "web"):
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
def cancel_appointment(*, appointment: Appointment, structure, actor, notify: bool = True, via: str = "web"):
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
    via: str = "web",
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


def send_reminders(now=None) -> dict:
    """Hourly job: remind each participant once, about two days before. Idempotent."""
    now = now or timezone.now()
    due = (
        Participant.objects.filter(
            outcome=Outcome.PENDING,
            reminded_at__isnull=True,
            appointment__cancelled_at__isnull=True,
            appointment__starts_at__gt=now,
            appointment__starts_at__lte=now + REMIND_BEFORE,
        )
        .select_related("appointment__structure", "appointment__place__commune")
        .order_by("appointment__starts_at", "pk")
    )
    reminded = skipped = 0
    for participant in due:
        with transaction.atomic():
            if not Participant.objects.filter(pk=participant.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            # Booked (or moved) less than two days ahead: that message was the reminder.
            told_at = participant.invited_at or participant.created_at
            if told_at > participant.appointment.starts_at - REMIND_BEFORE:
                skipped += 1
                continue
            if send_message(participant, kind="rappel"):
                reminded += 1
    if reminded:
        logger.info("agenda: %s reminders queued", reminded)
    return {"reminded": reminded, "skipped": skipped}


# --- Self-booking ------------------------------------------------------------------------------


def booking_subject(booker: links.Booker):
    """The structure and the file or referral a booking link stands for, or LinkError."""
    structure = Structure.objects.filter(pk=booker.structure_id).first()
    if structure is None:
        raise links.LinkError("revoque")
    person = referral = None
    if booker.person_id:
        from jalon.people.models import Person

        person = Person.objects.owned_by(structure).filter(pk=booker.person_id).first()
        if person is None:
            raise links.LinkError("revoque")
    elif booker.referral_id:
        referral = Referral.objects.for_structure(structure).filter(pk=booker.referral_id).first()
        if referral is None or referral.status == ReferralStatus.CLOSED:
            raise links.LinkError("revoque")
    else:
        raise links.LinkError("altere")
    return structure, person, referral


@transaction.atomic
def book_from_link(*, booker: links.Booker, slot_key: str) -> Participant:
    structure, person, referral = booking_subject(booker)
    if upcoming_for(person=person, referral=referral).filter(appointment__structure=structure).exists():
        raise ValidationError("Vous avez déjà un rendez-vous à venir. Pour le changer, appelez la structure.")
    slot = parse_slot(structure, slot_key, self_booking=True)
    appointment = schedule(
        structure=structure,
        actor=None,
        title=slot.permanence.label,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        permanence=slot.permanence,
        via="link",
    )
    return add_participant(
        appointment=appointment,
        structure=structure,
        actor=None,
        person=person,
        referral=referral,
        booked_by_self=True,
        via="link",
    )


def send_booking_link(*, structure, actor, person=None, referral=None) -> int:
    """Send the self-booking link by SMS or e-mail (a file needs its contact consents)."""
    url = links.booking_url(structure=structure, person=person, referral=referral)
    probe = Participant(
        person=person, referral=referral, phone=(person or referral).phone, email=(person or referral).email
    )
    sent = 0
    for channel, to in contact_channels(probe):
        enqueue(
            channel=channel,
            to=to,
            subject=f"Choisissez votre rendez-vous avec {structure.name}",
            body=(
                f"Bonjour {(person or referral).first_name}, choisissez le créneau qui vous convient "
                f"avec {structure.name} (lien valable 14 jours) : {url}"
            ),
            structure=structure,
            purpose="rdv_lien",
        )
        sent += 1
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=person or referral,
        person=person,
        detail="lien de prise de rendez-vous envoyé",
    )
    return sent

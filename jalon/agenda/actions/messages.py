"""Invitations, changes and reminders sent to participants (through the outbox, with an .ics file)."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel
from jalon.people.actions import person_channels
from jalon.text import long_date

from .. import ics
from ..models import Outcome, Participant

logger = logging.getLogger(__name__)


REMIND_BEFORE = timedelta(hours=48)


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

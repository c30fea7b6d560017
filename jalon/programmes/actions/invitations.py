"""Invitations to a session and the reminders two days before, by SMS or e-mail."""

import logging
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel
from jalon.people.actions import person_channels
from jalon.text import long_date

from .. import links
from ..models import Enrolment, EnrolmentStatus, Invitation, Session
from .common import _check_owner

logger = logging.getLogger(__name__)
REMIND_BEFORE = timedelta(days=2)


def session_text(session: Session, *, lead: str, first_name: str, link: str = "") -> str:
    first = session.slots.order_by("starts_at").first()
    when = long_date(first.starts_at, "l j F à H\\hi") if first else ""
    text = f"Bonjour {first_name}, {lead} « {session.name} » ({session.stage.programme.name}) le {when}"
    text += f", {session.place}." if session.place else "."
    if link:
        text += f" Pour vous inscrire : {link}"
    return text


SUBJECTS = {"invitation": "Invitation", "rappel": "Rappel", "place": "Une place pour vous"}


def _send(session: Session, person, *, kind: str, body: str, structure, key: str) -> int:
    from ..ics import session_ics

    sent = 0
    for channel, to in person_channels(person.pk, phone=person.phone, email=person.email):
        attachments = []
        if channel == MessageChannel.EMAIL:
            content = session_ics(session).decode()
            attachments = [{"filename": "session.ics", "content": content, "mimetype": "text/calendar"}]
        enqueue(
            channel=channel,
            to=to,
            subject=SUBJECTS[kind] + f" : {session.name}",
            body=body,
            structure=structure,
            purpose=f"parcours_{kind}",
            dedupe_key=f"parcours-{kind}-{key}-{channel}",
            attachments=attachments,
        )
        sent += 1
    return sent


@transaction.atomic
def invite(*, session: Session, person, structure, actor, notify: bool = True) -> tuple[Invitation, int]:
    """Records the invitation (rule "invitée par la coordination") and writes to the person,
    unless `notify` is False (an invitation given in person; the demo, which sends nothing)."""
    _check_owner(session, structure)
    if person.structure_id != structure.pk:
        raise PermissionDenied
    invitation, _ = Invitation.objects.get_or_create(
        session=session, person=person, defaults={"invited_by": actor}
    )
    sent = 0
    if notify:
        link = links.registration_url(invitation)
        body = session_text(session, lead="nous vous invitons à", first_name=person.first_name, link=link)
        sent = _send(
            session, person, kind="invitation", body=body, structure=structure, key=f"{invitation.pk}"
        )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=invitation, person=person)
    return invitation, sent


def send_reminders(today: date | None = None) -> int:
    """Daily: every enrolled person of a session starting in two days gets one reminder."""
    today = today or timezone.localdate()
    due = Enrolment.objects.filter(
        status=EnrolmentStatus.ENROLLED, session__starts_on=today + REMIND_BEFORE
    ).select_related("person", "session__stage__programme")
    sent = 0
    for enrolment in due:
        session = enrolment.session
        body = session_text(session, lead="rappel :", first_name=enrolment.person.first_name)
        structure = enrolment.person.structure
        sent += _send(
            session, enrolment.person, kind="rappel", body=body, structure=structure, key=f"{enrolment.pk}"
        )
    if sent:
        logger.info("parcours: %s reminders queued", sent)
    return sent

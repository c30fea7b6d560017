"""Anonymisation of a person file: the one function retention and the right to erasure share.

What is removed, blanked or kept, model by model, is the table of docs/rgpd.md ("Durées de
conservation"). In short: identity, contact, address, free text and sensitive notes go; what
anonymous statistics count stays (structure, gender, birth year, situation at entry, programme
enrolments, attendance, exits, dates).
"""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel, MessageStatus, OutboxMessage

from . import retention
from .models import Consent, ConsentPurpose, Person, PersonEvent

ANONYMOUS_NAME = "Personne anonymisée"

# Person fields blanked; the others (gender, situation at entry, equipment) feed the indicators.
BLANKED = {
    "last_name": "",
    "phone": "",
    "email": "",
    "preferred_channel": "",
    "commune": None,
    "france_travail_since": None,
    "languages": "",
    "referent": None,
}
# Consents that mean nothing without a person to reach or to share: withdrawn with the file.
WITHDRAWN_PURPOSES = [
    ConsentPurpose.SHARING,
    ConsentPurpose.CONTACT_SMS,
    ConsentPurpose.CONTACT_EMAIL,
    ConsentPurpose.TESTIMONY,
]


class ErasureRefused(Exception):
    """A legal hold applies; `holds` says which, in French."""

    def __init__(self, holds: list[str]):
        super().__init__("; ".join(holds))
        self.holds = holds


def _birth_year_only(birth_date: date | None) -> date | None:
    # Mid-year: the age band (FSE+ <25, >54) stays right to within six months.
    return date(birth_date.year, 7, 1) if birth_date else None


@transaction.atomic
def anonymise_person(
    *, person: Person, actor, reason: str, via: str = "web", now: datetime | None = None
) -> bool:
    """Remove what identifies the person, keep what anonymous statistics count.

    Idempotent: an anonymised file is left alone and nothing is recorded (returns False).
    `reason` is "retention" or "erasure"; it goes in the audit event, which holds no personal data.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        return False
    now = now or timezone.now()
    contacts = [value for value in (person.phone, person.email) if value]

    for holder in retention.holders():
        if holder.anonymise:
            holder.anonymise(person)

    person.sensitive_notes.all().delete()
    person.events.all().delete()
    Consent.objects.active().filter(person=person, purpose__in=WITHDRAWN_PURPOSES).update(withdrawn_at=now)
    if contacts:
        # Messages to the person: the unsent ones are dropped, the others lose address and body.
        to_person = OutboxMessage.objects.filter(structure_id=person.structure_id, to__in=contacts)
        to_person.filter(status__in=[MessageStatus.QUEUED, MessageStatus.RETRYING]).delete()
        to_person.update(to="", body="", subject="", attachments=[])

    person.first_name = ANONYMOUS_NAME
    for name, value in BLANKED.items():
        setattr(person, name, value)
    person.birth_date = _birth_year_only(person.birth_date)
    person.anonymised_at = person.archived_at = now
    person.updated_at = now
    person.save()

    PersonEvent.objects.create(
        person=person,
        structure_id=person.structure_id,
        kind="anonymised",
        label="Dossier anonymisé",
        actor=actor,
    )
    record(
        action=Action.DELETE,
        actor=actor,
        structure=person.structure,
        obj=person,
        detail=f"anonymisation : {reason}",
        via=via,
    )
    return True


def legal_holds(person: Person, today: date | None = None) -> list[str]:
    """Why this file may not be erased today, in French (empty: it may be)."""
    today = today or timezone.localdate()
    holds: list[str] = []
    for holder in retention.holders():
        if holder.legal_holds:
            holds.extend(holder.legal_holds(person, today))
    return holds


def erase_person(*, person: Person, structure, actor, via: str = "web") -> bool:
    """The right to erasure (RGPD art. 17): anonymise now, unless a legal hold applies.

    Only the referent structure erases. Raises ErasureRefused with the holds; returns False when
    the file was already anonymised. Not atomic itself: the refusal's audit event must survive
    the exception (the anonymisation is atomic on its own).
    """
    if person.structure_id != structure.pk:
        raise PermissionDenied("Seule la structure référente peut effacer ce dossier.")
    if person.anonymised_at is not None:
        return False
    holds = legal_holds(person)
    if holds:
        record(
            action=Action.DELETE,
            actor=actor,
            structure=structure,
            obj=person,
            detail=f"effacement refusé : {len(holds)} obligation(s) de conservation",
            via=via,
        )
        raise ErasureRefused(holds)
    return anonymise_person(person=person, actor=actor, reason="erasure", via=via)


@transaction.atomic
def send_retention_notice(*, person: Person, now: datetime | None = None) -> None:
    """Tell the referent (or the structure) that the file will be anonymised in 30 days.

    Sent once per period without contact: `retention_notice_at` is later than the last contact
    until someone touches the file. The message names no one: it links to the file.
    """
    now = now or timezone.now()
    updated = Person.objects.filter(pk=person.pk, anonymised_at__isnull=True).update(retention_notice_at=now)
    if not updated:
        return
    to = (person.referent.email if person.referent_id and person.referent.is_active else "") or (
        person.structure.email
    )
    when = timezone.localtime(now + retention.NOTICE).date()
    if to:
        url = settings.SITE_URL.rstrip("/") + reverse("person_detail", args=[person.pk])
        enqueue(
            channel=MessageChannel.EMAIL,
            to=to,
            structure=person.structure,
            subject="Un dossier sans contact sera rendu anonyme dans 30 jours",
            body=(
                f"Le dossier n° {person.pk} n'a eu aucun contact depuis près de "
                f"{person.structure.retention_months} mois.\n\n"
                f"Sans nouvelle action de votre part, il sera rendu anonyme le {when:%d/%m/%Y} "
                "(règle de conservation de votre structure).\n\n"
                "Pour le garder, ouvrez-le et notez un contact (rendez-vous, mise à jour, entretien) :\n"
                f"{url}\n"
            ),
            purpose="retention_notice",
            dedupe_key=f"retention-notice-{person.pk}-{now:%Y%m%d}",
        )
    record(
        action=Action.UPDATE,
        structure=person.structure,
        obj=person,
        fields=["retention_notice_at"],
        detail="avis d'anonymisation dans 30 jours",
        via="job",
    )

"""Writes on person files. Each one is atomic and leaves an audit event and a timeline line."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.models import MessageChannel
from jalon.text import normalize

from .models import CONSENT_TEXTS, Consent, ConsentPurpose, Person, PersonEvent, SensitiveNote

# Fields a person's own structure may edit (the forms and the API share this list).
EDITABLE_FIELDS = [
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "phone",
    "email",
    "preferred_channel",
    "commune",
    "referent",
    "employment_status",
    "france_travail_since",
    "long_term_unemployed",
    "rsa",
    "ass",
    "aah",
    "rqth",
    "qpv",
    "education_level",
    "has_smartphone",
    "has_computer",
    "has_internet",
    "languages",
]


def find_duplicates(
    *, structure, first_name: str, last_name: str, birth_date=None, phone: str = "", exclude_pk=None
):
    """Files of the same structure with the same name and birth date, or the same phone."""
    conditions = Q()
    if birth_date:
        conditions |= Q(search_name=normalize(f"{last_name} {first_name}"), birth_date=birth_date)
    if phone:
        conditions |= Q(phone=phone)
    if not conditions:
        return Person.objects.none()
    queryset = Person.objects.owned_by(structure).filter(conditions)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.order_by("pk")


class DuplicateFound(Exception):
    """A similar file exists in the structure: the caller shows it and asks for confirmation."""

    def __init__(self, people: list[Person]):
        super().__init__("Un dossier semblable existe déjà dans la structure.")
        self.people = people


def _lock_identity(*, structure, first_name: str, last_name: str, birth_date=None, phone: str = "") -> None:
    """Serialise the creators of the same person in a structure until their transaction ends.

    Checking for a duplicate and then inserting is a race: five identical requests at once all
    found nothing and all inserted. A unique constraint cannot say "same name and birth date, or
    same phone", and staff may knowingly create a look-alike (`force`), so each criterion of
    find_duplicates gets a PostgreSQL transaction-level advisory lock: creators of one person wait
    for each other, creators of different people do not. Locks are taken in a fixed order, so two
    requests sharing both keys cannot deadlock. SQLite needs none: its write transactions are
    IMMEDIATE (settings.py), so they already run one at a time.
    """
    if connection.vendor != "postgresql":
        return
    keys = []
    if birth_date:
        keys.append(f"person:{structure.pk}:name:{normalize(f'{last_name} {first_name}')}:{birth_date}")
    if phone:
        keys.append(f"person:{structure.pk}:phone:{phone}")
    # pg_advisory_xact_lock takes a signed 64-bit key: the first 8 bytes of a digest of the text.
    numbers = sorted(
        int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        for key in keys
    )
    with connection.cursor() as cursor:
        for number in numbers:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


@transaction.atomic
def create_person_unless_duplicate(
    *, structure, actor, data: dict, via: str = "web", consent_method: str | None = None, force: bool = False
) -> Person:
    """The one way pages and API create a file from a form: the duplicate check and the insert
    hold together under concurrency. Raises DuplicateFound unless `force`."""
    identity = {
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "birth_date": data.get("birth_date"),
        "phone": data.get("phone", ""),
    }
    _lock_identity(structure=structure, **identity)
    if not force:
        duplicates = list(find_duplicates(structure=structure, **identity)[:5])
        if duplicates:
            raise DuplicateFound(duplicates)
    return create_person(structure=structure, actor=actor, data=data, via=via, consent_method=consent_method)


def _timeline(person, *, kind, label, actor, structure):
    PersonEvent.objects.create(person=person, kind=kind, label=label, actor=actor, structure=structure)


@transaction.atomic
def create_person(
    *, structure, actor, data: dict, via: str | None = None, consent_method: str | None = None
) -> Person:
    """Create a file; with `consent_method`, its consent to accompaniment in the same transaction,
    so a file never exists without the consent it was created with."""
    person = Person(structure=structure, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    if person.referent_id is None and actor is not None:
        person.referent = actor
    person.save()
    record(action=Action.CREATE, actor=actor, structure=structure, obj=person, fields=list(data), via=via)
    _timeline(person, kind="created", label="Dossier créé", actor=actor, structure=structure)
    if consent_method is not None:
        give_consent(
            person=person,
            structure=structure,
            actor=actor,
            purpose=ConsentPurpose.ACCOMPANIMENT,
            method=consent_method,
        )
    return person


@transaction.atomic
def update_person(*, person: Person, structure, actor, data: dict, via: str | None = None) -> list[str]:
    if person.structure_id != structure.pk:
        raise PermissionDenied("Seule la structure référente peut modifier ce dossier.")
    changed = []
    for field, value in data.items():
        if field not in EDITABLE_FIELDS:
            continue
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if not changed:
        return []
    person.updated_at = timezone.now()
    person.last_contact_at = person.updated_at
    person.save()
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=person, fields=changed, via=via)
    _timeline(person, kind="updated", label="Dossier mis à jour", actor=actor, structure=structure)
    return changed


def record_read(*, person: Person, structure, actor, via: str | None = None) -> None:
    record(action=Action.READ, actor=actor, structure=structure, obj=person, via=via)


@transaction.atomic
def give_consent(
    *, person: Person, structure, actor, purpose: str, method: str, target_structure=None
) -> Consent:
    if person.structure_id != structure.pk:
        raise PermissionDenied("Seule la structure référente recueille les consentements.")
    if purpose == ConsentPurpose.SHARING:
        if target_structure is None or target_structure.pk == structure.pk:
            raise ValueError("Le partage demande une autre structure destinataire.")
    else:
        target_structure = None
    existing = (
        Consent.objects.active()
        .filter(person=person, purpose=purpose, target_structure=target_structure)
        .first()
    )
    if existing is not None:
        return existing
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        target_structure=target_structure,
        method=method,
        text_version=CONSENT_TEXTS[purpose][0],
        recorded_by=actor,
    )
    record(
        action=Action.CONSENT,
        actor=actor,
        structure=structure,
        obj=consent,
        person=person,
        detail=f"donné : {purpose}",
    )
    label = f"Consentement donné : {consent.get_purpose_display()}"
    if target_structure is not None:
        label += f" ({target_structure.name})"
    _timeline(person, kind="consent_given", label=label, actor=actor, structure=structure)
    return consent


@transaction.atomic
def withdraw_consent(*, consent: Consent, structure, actor) -> Consent:
    person = consent.person
    if person.structure_id != structure.pk:
        raise PermissionDenied("Seule la structure référente enregistre un retrait.")
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record(
        action=Action.CONSENT,
        actor=actor,
        structure=structure,
        obj=consent,
        person=person,
        detail=f"retiré : {consent.purpose}",
    )
    _timeline(
        person,
        kind="consent_withdrawn",
        label=f"Consentement retiré : {consent.get_purpose_display()}",
        actor=actor,
        structure=structure,
    )
    return consent


def can_read_sensitive(*, person: Person, membership) -> bool:
    """The referent, or members their structure granted need-to-know; never another structure."""
    if membership is None or person.structure_id != membership.structure_id:
        return False
    return person.referent_id == membership.user_id or membership.need_to_know


def read_sensitive_notes(*, person: Person, membership) -> list[SensitiveNote]:
    if not can_read_sensitive(person=person, membership=membership):
        raise PermissionDenied
    notes = list(person.sensitive_notes.all())
    record(
        action=Action.READ_SENSITIVE,
        actor=membership.user,
        structure=membership.structure,
        obj=person,
        detail=f"{len(notes)} note(s)",
    )
    return notes


@transaction.atomic
def add_sensitive_note(*, person: Person, membership, category: str, text: str) -> SensitiveNote:
    if not can_read_sensitive(person=person, membership=membership):
        raise PermissionDenied
    note = SensitiveNote(person=person, category=category, created_by=membership.user)
    note.set_text(text)
    note.save()
    record(
        action=Action.CREATE,
        actor=membership.user,
        structure=membership.structure,
        obj=note,
        person=person,
        fields=["category", "text"],
    )
    return note


def person_channels(person_id: int, *, phone: str, email: str) -> list[tuple[str, str]]:
    """Where a person's file allows writing to them: each channel needs its active contact consent."""
    purposes = set(
        Consent.objects.active()
        .filter(person_id=person_id, purpose__in=[ConsentPurpose.CONTACT_SMS, ConsentPurpose.CONTACT_EMAIL])
        .values_list("purpose", flat=True)
    )
    channels = []
    if phone and ConsentPurpose.CONTACT_SMS in purposes:
        channels.append((MessageChannel.SMS, phone))
    if email and ConsentPurpose.CONTACT_EMAIL in purposes:
        channels.append((MessageChannel.EMAIL, email))
    return channels

"""Writes about referrals: creation (link, self, staff, API), triage, assignment, welcome into a file."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel
from jalon.people import actions as people_actions
from jalon.people.models import Person, PersonEvent
from jalon.text import agree

from .. import rollup
from ..models import (
    REACHED,
    Need,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
    Referrer,
)
from ._common import _timeline
from .referrers import refresh_referrer_counts

# The sentence the referrer ticks with the person; a new wording gets a new version.
CONTACT_CONSENT_TEXT = (
    "2026-11",
    "La personne est d'accord pour que la structure la contacte pour lui proposer un accompagnement.",
)
SELF_CONTACT_CONSENT_TEXT = (
    "2026-11",
    "J'accepte que la structure me contacte au numéro ou à l'adresse indiqués pour m'aider.",
)


# --- Referrals ---------------------------------------------------------------------------------


def clean_referral_data(data: dict) -> dict:
    """Checks shared by the public form, the staff form and the API. Raises ValidationError."""
    from jalon.structures.phones import to_e164

    errors = {}
    cleaned = dict(data)
    cleaned["first_name"] = (data.get("first_name") or "").strip()
    if not cleaned["first_name"]:
        errors["first_name"] = "Indiquez au moins le prénom."
    try:
        cleaned["phone"] = to_e164(data.get("phone") or "")
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    cleaned["email"] = (data.get("email") or "").strip().lower()
    if not cleaned.get("phone") and not cleaned["email"] and "phone" not in errors:
        errors["phone"] = "Indiquez un téléphone ou une adresse e-mail pour que la structure puisse rappeler."
    unknown = [n for n in data.get("needs") or [] if n not in Need.values]
    if unknown:
        errors["needs"] = "Choisissez les besoins dans la liste."
    cleaned["needs"] = [n for n in Need.values if n in (data.get("needs") or [])]
    if not data.get("contact_consent"):
        errors["contact_consent"] = "L'accord de la personne pour être contactée est obligatoire."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_referral(
    *, structure, referrer: Referrer | None, source: str, data: dict, actor=None, via: str | None = None
) -> Referral:
    cleaned = clean_referral_data(data)
    text = SELF_CONTACT_CONSENT_TEXT if source == ReferralSource.SELF else CONTACT_CONSENT_TEXT
    now = timezone.now()
    referral = Referral(
        structure=structure,
        referrer=referrer,
        source=source,
        first_name=cleaned["first_name"][:100],
        last_name=(cleaned.get("last_name") or "").strip()[:100],
        phone=cleaned["phone"],
        email=cleaned["email"],
        birth_date=cleaned.get("birth_date"),
        commune=cleaned.get("commune"),
        needs=cleaned["needs"],
        message=(cleaned.get("message") or "").strip()[:2000],
        referrer_note=(cleaned.get("referrer_note") or "").strip()[:2000],
        best_time=(cleaned.get("best_time") or "").strip()[:100],
        contact_consent_at=now,
        consent_text_version=text[0],
        share_outcome=bool(cleaned.get("share_outcome")),
        assigned_to=cleaned.get("assigned_to"),
        created_at=now,
        status_changed_at=now,
    )
    referral.refresh_search_fields()
    referral.save(force_insert=True)
    ReferralEvent.objects.create(
        referral=referral, status=ReferralStatus.NEW, label="Orientation reçue", actor=actor, at=now
    )
    record(
        action=Action.CREATE,
        actor=actor,
        structure=structure,
        obj=referral,
        fields=[k for k in cleaned if cleaned[k]],
        via=via,
    )
    if referrer is not None:
        refresh_referrer_counts(referrer.pk)
    rollup.mark_dirty(structure_id=structure.pk, created_at=referral.created_at)
    _notify_new_referral(referral)
    return referral


def _notify_new_referral(referral: Referral) -> None:
    """Tell the referrer's facilitator (or the structure) a referral arrived — no personal data."""
    facilitator = referral.referrer.facilitator if referral.referrer_id else None
    to = (facilitator.email if facilitator else "") or referral.structure.email
    if not to:
        return
    from jalon.links import absolute

    enqueue(
        channel=MessageChannel.EMAIL,
        to=to,
        subject="Jalon : nouvelle personne orientée vers vous",
        body=(
            "Une nouvelle personne vient d'être orientée vers votre structure"
            + (f" par {referral.referrer.name}" if referral.referrer_id else "")
            + ".\nOuvrez la boîte de réception pour la contacter : "
            + absolute(reverse("referral_detail", kwargs={"pk": referral.pk}))
        ),
        structure=referral.structure,
        purpose="referral_new",
        dedupe_key=f"referral-new-{referral.pk}",
    )


def _referral_event(referral, *, status="", label, actor, note=""):
    ReferralEvent.objects.create(referral=referral, status=status, label=label, actor=actor, note=note)


@transaction.atomic
def change_referral_status(
    *,
    referral: Referral,
    structure,
    actor,
    status: str,
    closed_reason: str = "",
    note: str = "",
    via: str | None = None,
) -> Referral:
    if referral.structure_id != structure.pk:
        raise PermissionDenied
    if not referral.can_move_to(status):
        raise ValidationError(
            f"Passer de « {referral.get_status_display()} » à « {ReferralStatus(status).label} » "
            "n'est pas possible."
        )
    if status == ReferralStatus.CLOSED and not closed_reason:
        raise ValidationError({"closed_reason": "Indiquez pourquoi la demande est sans suite."})
    now = timezone.now()
    fields = ["status", "status_changed_at", "closed_reason"]
    referral.status = status
    referral.status_changed_at = now
    referral.closed_reason = closed_reason if status == ReferralStatus.CLOSED else ""
    if status in REACHED and referral.first_contact_at is None:
        referral.set_first_contact(now)
        fields += ["first_contact_at", "first_contact_minutes"]
    if referral.assigned_to_id is None and actor is not None:
        referral.assigned_to = actor
        fields.append("assigned_to")
    referral.save(update_fields=fields)
    # Status and first contact are counted by month of arrival: that month's roll-up is rebuilt.
    rollup.mark_dirty(structure_id=structure.pk, created_at=referral.created_at)
    label = f"Statut : {referral.get_status_display()}"
    if closed_reason:
        label += f" ({referral.get_closed_reason_display()})"
    _referral_event(referral, status=status, label=label, actor=actor, note=note)
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=referral, fields=fields, via=via)
    if referral.referrer_id:
        refresh_referrer_counts(referral.referrer_id)
    return referral


@transaction.atomic
def assign_referral(*, referral: Referral, structure, actor, user) -> Referral:
    if referral.structure_id != structure.pk:
        raise PermissionDenied
    if user is not None and not user.memberships.filter(structure=structure, is_active=True).exists():
        raise ValidationError({"assigned_to": "Cette personne ne fait pas partie de la structure."})
    referral.assigned_to = user
    referral.save(update_fields=["assigned_to"])
    _referral_event(
        referral,
        label=f"Confiée à {user.get_full_name() or user.email}" if user else "Plus confiée",
        actor=actor,
    )
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=referral, fields=["assigned_to"])
    return referral


@transaction.atomic
def welcome_referral(
    *, referral: Referral, structure, actor, person: Person | None = None, data: dict | None = None
) -> Person:
    """The person came: open their file, or attach the referral to the file they already have."""
    if referral.structure_id != structure.pk:
        raise PermissionDenied
    if referral.status not in {ReferralStatus.CONTACTED, ReferralStatus.APPOINTMENT, ReferralStatus.NEW}:
        raise ValidationError("Cette demande a déjà été traitée.")

    def origin(person) -> str:
        return (
            f"{agree(person, 'Repéré')} par {referral.referrer.name}"
            if referral.referrer_id
            else "Demande reçue"
        )

    if person is not None:
        if person.structure_id != structure.pk:
            raise PermissionDenied
        # Merge: fill what the file lacks, never overwrite what the team already checked.
        missing = {
            field: getattr(referral, field)
            for field in ("phone", "email", "commune", "birth_date")
            if getattr(referral, field) and not getattr(person, field)
        }
        if missing:
            people_actions.update_person(person=person, structure=structure, actor=actor, data=missing)
        _timeline(
            person,
            kind="referral_merged",
            label=f"{origin(person)} (demande rattachée au dossier)",
            actor=actor,
            structure=structure,
        )
    else:
        values = {
            "first_name": referral.first_name,
            "last_name": referral.last_name or "",
            "phone": referral.phone,
            "email": referral.email,
            "commune": referral.commune,
            "birth_date": referral.birth_date,
        }
        values.update(data or {})
        if not values.get("last_name"):
            raise ValidationError({"last_name": "Indiquez le nom de famille pour ouvrir le dossier."})
        person = people_actions.create_person(structure=structure, actor=actor, data=values)
        _timeline(person, kind="referral", label=origin(person), actor=actor, structure=structure)
    referral.person = person
    referral.save(update_fields=["person"])
    _carry_history(referral, person, structure=structure, actor=actor)
    change_referral_status(
        referral=referral, structure=structure, actor=actor, status=ReferralStatus.WELCOMED
    )
    return person


def _carry_history(referral: Referral, person: Person, *, structure, actor) -> None:
    """Put the referral's appointments on the file's timeline, at the time they happened.

    The appointments stay the referral's (the agenda reads them through referral.person); read
    through the reverse relation so this layer imports nothing from the agenda above it.
    """
    events = []
    for participation in referral.participations.select_related("appointment").order_by("pk"):
        appointment = participation.appointment
        when = formats.date_format(timezone.localtime(appointment.starts_at), "l j F Y à H\\hi")
        cancelled = " (annulé)" if appointment.cancelled_at else ""
        events.append(
            PersonEvent(
                person=person,
                kind="appointment",
                label=f"Rendez-vous de la demande : {appointment.title}, {when}{cancelled}"[:255],
                actor=actor,
                structure=structure,
                occurred_at=participation.created_at,
            )
        )
        if participation.outcome_at is not None:
            events.append(
                PersonEvent(
                    person=person,
                    kind="appointment_outcome",
                    label=(
                        f"Rendez-vous « {appointment.title} » : {participation.get_outcome_display().lower()}"
                    )[:255],
                    actor=actor,
                    structure=structure,
                    occurred_at=participation.outcome_at,
                )
            )
    PersonEvent.objects.bulk_create(events)

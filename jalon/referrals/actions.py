"""Writes of the repérage/accueil workflow. Each is atomic and leaves its audit event."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import formats, timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel
from jalon.people import actions as people_actions
from jalon.people.models import Person, PersonEvent
from jalon.text import agree

from . import links, rollup
from .models import (
    ACCOMPANIED,
    REACHED,
    Intake,
    IntakeNeed,
    Need,
    Orientation,
    OrientationStatus,
    OrientationTarget,
    PlanAction,
    PlanAxis,
    PlanObjective,
    ProspectionEntry,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
    Referrer,
    new_key,
)

# Reads the writes below rely on, kept importable from here for the callers of old.
from .selectors import known_people, referral_needs_for_intake  # noqa: F401

logger = logging.getLogger(__name__)

# The sentence the referrer ticks with the person; a new wording gets a new version.
CONTACT_CONSENT_TEXT = (
    "2026-11",
    "La personne est d'accord pour que la structure la contacte pour lui proposer un accompagnement.",
)
SELF_CONTACT_CONSENT_TEXT = (
    "2026-11",
    "J'accepte que la structure me contacte au numéro ou à l'adresse indiqués pour m'aider.",
)
REFERRER_FIELDS = [
    "name",
    "kind",
    "partner_structure",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
    "commune",
    "facilitator",
    "notes",
    "is_active",
]


def _timeline(person, *, kind, label, actor, structure):
    PersonEvent.objects.create(person=person, kind=kind, label=label, actor=actor, structure=structure)


def _own(person, structure):
    if person.structure_id != structure.pk:
        raise PermissionDenied("Seule la structure référente modifie ce dossier.")


# --- Referrers ---------------------------------------------------------------------------------


@transaction.atomic
def create_referrer(*, structure, actor, data: dict, via: str = "web") -> Referrer:
    referrer = Referrer(structure=structure, **{k: v for k, v in data.items() if k in REFERRER_FIELDS})
    if referrer.facilitator_id is None and actor is not None:
        referrer.facilitator = actor
    referrer.full_clean(exclude=["link_key"])
    referrer.save()
    record(action=Action.CREATE, actor=actor, structure=structure, obj=referrer, fields=list(data), via=via)
    return referrer


@transaction.atomic
def update_referrer(*, referrer: Referrer, structure, actor, data: dict, via: str = "web") -> list[str]:
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    changed = [f for f in REFERRER_FIELDS if f in data and getattr(referrer, f) != data[f]]
    for field in changed:
        setattr(referrer, field, data[field])
    if changed:
        referrer.full_clean(exclude=["link_key"])
        referrer.save()
        record(action=Action.UPDATE, actor=actor, structure=structure, obj=referrer, fields=changed, via=via)
    return changed


@transaction.atomic
def regenerate_link(*, referrer: Referrer, structure, actor) -> Referrer:
    """A new key: every printed poster and shared link of this referrer stops working."""
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    referrer.link_key = new_key()
    referrer.link_revoked_at = None
    referrer.save(update_fields=["link_key", "link_revoked_at"])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=referrer, fields=["link_key"])
    return referrer


@transaction.atomic
def revoke_link(*, referrer: Referrer, structure, actor) -> Referrer:
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    referrer.link_revoked_at = timezone.now()
    referrer.save(update_fields=["link_revoked_at"])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=referrer, fields=["link_revoked_at"])
    return referrer


@transaction.atomic
def log_prospection(*, referrer: Referrer, structure, actor, data: dict) -> ProspectionEntry:
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    entry = ProspectionEntry.objects.create(
        referrer=referrer,
        author=actor,
        kind=data["kind"],
        happened_on=data.get("happened_on") or timezone.localdate(),
        note=data.get("note", ""),
        follow_up_on=data.get("follow_up_on"),
    )
    # A new contact closes the follow-ups that were due on this referrer.
    ProspectionEntry.objects.filter(
        referrer=referrer, follow_up_on__isnull=False, follow_up_done_at__isnull=True
    ).exclude(pk=entry.pk).update(follow_up_done_at=timezone.now())
    record(action=Action.CREATE, actor=actor, structure=structure, obj=entry, fields=sorted(data))
    return entry


def refresh_referrer_counts(referrer_id: int) -> None:
    """Recount from the referrals (one indexed aggregate): counters never drift."""
    counts = Referral.objects.filter(referrer_id=referrer_id).aggregate(
        referred=Count("pk"),
        reached=Count("pk", filter=Q(first_contact_at__isnull=False)),
        accompanied=Count("pk", filter=Q(status__in=ACCOMPANIED)),
        last=Max("created_at"),
    )
    Referrer.objects.filter(pk=referrer_id).update(
        referred_count=counts["referred"],
        reached_count=counts["reached"],
        accompanied_count=counts["accompanied"],
        last_referral_at=counts["last"],
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
    *, structure, referrer: Referrer | None, source: str, data: dict, actor=None, via: str = "web"
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
    *, referral: Referral, structure, actor, status: str, closed_reason: str = "", note: str = "", via="web"
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


# --- Intake and action plan --------------------------------------------------------------------


@transaction.atomic
def record_intake(*, person, structure, actor, held_on=None, summary: str = "", needs: list[dict]) -> Intake:
    _own(person, structure)
    if not needs:
        raise ValidationError({"needs": "Choisissez au moins un domaine où la personne a besoin d'aide."})
    intake = Intake.objects.create(
        person=person,
        structure=structure,
        author=actor,
        held_on=held_on or timezone.localdate(),
        summary=summary,
    )
    IntakeNeed.objects.bulk_create(
        IntakeNeed(
            intake=intake, domain=n["domain"], priority=n.get("priority", 2), detail=n.get("detail", "")
        )
        for n in needs
    )
    record(
        action=Action.CREATE,
        actor=actor,
        structure=structure,
        obj=intake,
        person=person,
        fields=["needs", "summary"],
    )
    _timeline(person, kind="intake", label="Point de situation", actor=actor, structure=structure)
    Person.objects.filter(pk=person.pk).update(last_contact_at=timezone.now())
    return intake


@transaction.atomic
def add_plan_axis(*, person, structure, actor, title: str, domain: str = "") -> PlanAxis:
    _own(person, structure)
    position = PlanAxis.objects.filter(person=person).count()
    axis = PlanAxis.objects.create(
        person=person, structure=structure, title=title, domain=domain, position=position
    )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=axis, person=person, fields=["title"])
    _timeline(person, kind="plan", label=f"Plan d'action : axe « {title} »", actor=actor, structure=structure)
    return axis


@transaction.atomic
def add_plan_objective(*, axis: PlanAxis, structure, actor, title: str) -> PlanObjective:
    _own(axis.person, structure)
    objective = PlanObjective.objects.create(axis=axis, title=title, position=axis.objectives.count())
    record(
        action=Action.CREATE,
        actor=actor,
        structure=structure,
        obj=objective,
        person=axis.person,
        fields=["title"],
    )
    return objective


@transaction.atomic
def add_plan_action(
    *, objective: PlanObjective, structure, actor, title: str, due_on=None, owner=None
) -> PlanAction:
    person = objective.axis.person
    _own(person, structure)
    if owner is not None and not owner.memberships.filter(structure=structure, is_active=True).exists():
        raise ValidationError({"owner": "Cette personne ne fait pas partie de la structure."})
    action = PlanAction.objects.create(
        objective=objective, person=person, structure=structure, title=title, due_on=due_on, owner=owner
    )
    record(
        action=Action.CREATE,
        actor=actor,
        structure=structure,
        obj=action,
        person=person,
        fields=["title", "due_on", "owner"],
    )
    return action


@transaction.atomic
def complete_plan_action(*, action: PlanAction, structure, actor, done: bool = True) -> PlanAction:
    _own(action.person, structure)
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=action,
        person=action.person,
        fields=["done_at"],
    )
    if done:
        _timeline(
            action.person,
            kind="plan_done",
            label=f"Action faite : {action.title}",
            actor=actor,
            structure=structure,
        )
    return action


# --- Orientations ------------------------------------------------------------------------------


def _orientation_recipient(orientation: Orientation) -> str:
    if orientation.target_email:
        return orientation.target_email
    if orientation.target_structure_id:
        return orientation.target_structure.email
    if orientation.target_service_id:
        return orientation.target_service.courriel
    return ""


def _send_answer_link(orientation: Orientation, *, reminder: bool) -> None:
    to = _orientation_recipient(orientation)
    if not to:
        return
    first = orientation.person.first_name if orientation.share_contact else "une personne"
    subject = ("Rappel : " if reminder else "") + f"{orientation.from_structure.name} vous oriente {first}"
    body = (
        f"{orientation.from_structure.name} vous propose d'accompagner {first}.\n\n"
        f"Motif : {orientation.motive}\n\n"
        "Répondez en un clic, sans compte (lien valable 8 jours) :\n"
        f"{links.orientation_answer_url(orientation)}\n"
    )
    suffix = "reminder" if reminder else "initial"
    enqueue(
        channel=MessageChannel.EMAIL,
        to=to,
        subject=subject,
        body=body,
        structure=orientation.from_structure,
        purpose=f"orientation_{suffix}",
        dedupe_key=f"orientation-{suffix}-{orientation.pk}",
    )


@transaction.atomic
def propose_orientation(
    *,
    person: Person,
    structure,
    actor,
    target_kind: str,
    motive: str,
    share_contact: bool,
    target_structure=None,
    target_label: str = "",
    target_email: str = "",
    target_service=None,
    referral: Referral | None = None,
    via: str = "web",
) -> Orientation:
    _own(person, structure)
    errors = {}
    if not motive.strip():
        errors["motive"] = "Expliquez en une phrase pourquoi vous orientez la personne."
    if target_structure is None and target_service is None and not target_label.strip():
        errors["target_label"] = (
            "Indiquez vers quoi vous orientez : une structure, un programme ou un service."
        )
    if (
        target_structure is not None
        and target_structure.pk == structure.pk
        and target_kind != OrientationTarget.PROGRAMME
    ):
        errors["target_structure"] = "Choisissez une autre structure que la vôtre."
    if errors:
        raise ValidationError(errors)
    orientation = Orientation.objects.create(
        person=person,
        from_structure=structure,
        from_user=actor,
        referral=referral,
        target_kind=target_kind,
        target_structure=target_structure,
        target_service=target_service,
        target_label=target_label.strip() or (target_service.nom if target_service else ""),
        target_email=target_email.strip().lower(),
        motive=motive.strip(),
        share_contact=share_contact,
    )
    record(
        action=Action.CREATE,
        actor=actor,
        structure=structure,
        obj=orientation,
        person=person,
        fields=["target", "motive", "share_contact"],
        via=via,
    )
    _timeline(
        person,
        kind="orientation",
        label=f"Orientation proposée : {orientation.target_name}",
        actor=actor,
        structure=structure,
    )
    if referral is not None and referral.can_move_to(ReferralStatus.ORIENTED):
        change_referral_status(
            referral=referral, structure=structure, actor=actor, status=ReferralStatus.ORIENTED
        )
    # An internal programme is answered inside the structure; others get the signed link.
    if target_kind != OrientationTarget.PROGRAMME or target_structure not in (None, structure):
        _send_answer_link(orientation, reminder=False)
    return orientation


def _notify_sender(orientation: Orientation) -> None:
    user = orientation.from_user
    if user is None or not user.email:
        return
    from jalon.links import absolute

    enqueue(
        channel=MessageChannel.EMAIL,
        to=user.email,
        subject=f"Orientation {orientation.get_status_display().lower()} : {orientation.target_name}",
        body=(
            f"L'orientation vers {orientation.target_name} est maintenant « {orientation.get_status_display()} ».\n"
            + absolute(reverse("orientation_detail", kwargs={"pk": orientation.pk}))
        ),
        structure=orientation.from_structure,
        purpose="orientation_status",
        dedupe_key=f"orientation-status-{orientation.pk}-{orientation.status}",
    )


@transaction.atomic
def answer_orientation(
    *,
    orientation: Orientation,
    accepted: bool,
    actor=None,
    structure=None,
    refusal_reason: str = "",
    note: str = "",
    answered_by_name: str = "",
    via: str = "web",
) -> Orientation:
    """The receiving side says yes or no (in Jalon, or through the signed link with no account)."""
    # Lock the row: a double click or two people answering at once give one answer.
    orientation = (
        Orientation.objects.select_for_update(of=("self",))
        .select_related("person", "from_user", "from_structure", "target_structure")
        .get(pk=orientation.pk)
    )
    if structure is not None and orientation.target_structure_id != structure.pk:
        raise PermissionDenied
    if orientation.status != OrientationStatus.PROPOSED:
        raise ValidationError("Cette orientation a déjà reçu une réponse.")
    if not accepted and not refusal_reason:
        raise ValidationError({"refusal_reason": "Indiquez la raison du refus."})
    now = timezone.now()
    orientation.status = OrientationStatus.ACCEPTED if accepted else OrientationStatus.REFUSED
    orientation.refusal_reason = "" if accepted else refusal_reason
    orientation.answer_note = note.strip()[:2000]
    orientation.answered_by_name = answered_by_name.strip()[:120]
    orientation.answered_at = now
    orientation.status_changed_at = now
    orientation.save()
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure or orientation.target_structure,
        obj=orientation,
        person=orientation.person,
        fields=["status", "refusal_reason", "answer_note"],
        detail="réponse par lien signé" if via == "link" else "",
        via=via,
    )
    _timeline(
        orientation.person,
        kind="orientation_answer",
        label=f"Orientation {orientation.get_status_display().lower()} : {orientation.target_name}",
        actor=actor,
        structure=orientation.from_structure,
    )
    _notify_sender(orientation)
    return orientation


@transaction.atomic
def move_orientation(*, orientation: Orientation, structure, actor, status: str) -> Orientation:
    """Started, finished or cancelled: said by either side (the sender may only cancel)."""
    sender = orientation.from_structure_id == structure.pk
    receiver = orientation.target_structure_id == structure.pk
    internal = sender and orientation.target_kind == OrientationTarget.PROGRAMME
    if not (sender or receiver):
        raise PermissionDenied
    if status == OrientationStatus.CANCELLED and not sender:
        raise ValidationError("Seule la structure qui a orienté la personne peut annuler l'orientation.")
    if sender and not internal and not receiver and status != OrientationStatus.CANCELLED:
        raise ValidationError("Seule la structure destinataire indique le démarrage ou la fin.")
    if status in {OrientationStatus.ACCEPTED, OrientationStatus.REFUSED}:
        raise ValidationError("Utilisez la réponse à l'orientation.")
    if not orientation.can_move_to(status):
        raise ValidationError(
            f"Passer à « {OrientationStatus(status).label} » n'est pas possible maintenant."
        )
    now = timezone.now()
    orientation.status = status
    orientation.status_changed_at = now
    if status == OrientationStatus.STARTED:
        orientation.started_at = now
    if status in {OrientationStatus.FINISHED, OrientationStatus.CANCELLED}:
        orientation.ended_at = now
    orientation.save()
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=orientation,
        person=orientation.person,
        fields=["status"],
    )
    _timeline(
        orientation.person,
        kind="orientation_status",
        label=f"Orientation {orientation.get_status_display().lower()} : {orientation.target_name}",
        actor=actor,
        structure=orientation.from_structure,
    )
    if not sender:
        _notify_sender(orientation)
    return orientation


def remind_and_expire_orientations(now=None) -> dict:
    """Daily job. Idempotent: a reminder has a dedupe key, an expired orientation is not proposed."""
    now = now or timezone.now()
    reminded = expired = 0
    due = Orientation.objects.filter(
        status=OrientationStatus.PROPOSED,
        created_at__lte=now - Orientation.REMIND_AFTER,
        created_at__gt=now - Orientation.EXPIRE_AFTER,
        reminded_at__isnull=True,
    ).select_related("person", "from_structure", "target_structure")
    for orientation in due:
        with transaction.atomic():
            if Orientation.objects.filter(pk=orientation.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                _send_answer_link(orientation, reminder=True)
                reminded += 1
    stale = Orientation.objects.filter(
        status=OrientationStatus.PROPOSED, created_at__lte=now - Orientation.EXPIRE_AFTER
    ).select_related("person", "from_structure", "target_structure", "from_user")
    for orientation in stale:
        with transaction.atomic():
            if Orientation.objects.filter(pk=orientation.pk, status=OrientationStatus.PROPOSED).update(
                status=OrientationStatus.EXPIRED, status_changed_at=now, ended_at=now
            ):
                orientation.status = OrientationStatus.EXPIRED
                record(
                    action=Action.UPDATE,
                    structure=orientation.from_structure,
                    obj=orientation,
                    person=orientation.person,
                    fields=["status"],
                    via="job",
                )
                _timeline(
                    orientation.person,
                    kind="orientation_status",
                    label=f"Orientation expirée sans réponse : {orientation.target_name}",
                    actor=None,
                    structure=orientation.from_structure,
                )
                _notify_sender(orientation)
                expired += 1
    if reminded or expired:
        logger.info("orientations: %s reminded, %s expired", reminded, expired)
    return {"reminded": reminded, "expired": expired}

"""Writes of orientations: proposal, answer (in Jalon or by signed link), steps, reminders and expiry."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel
from jalon.people.models import Person

from .. import links
from ..models import (
    Orientation,
    OrientationStatus,
    OrientationTarget,
    Referral,
    ReferralStatus,
)
from ._common import _own, _timeline
from .referrals import change_referral_status

logger = logging.getLogger(__name__)


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
    via: str | None = None,
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
    via: str | None = None,
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

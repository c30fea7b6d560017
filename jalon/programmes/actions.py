"""Enrolment rules: capacity is never exceeded, the waiting list promotes in order.

Both hold when two staff members enrol at the same moment: every change locks the session row
first (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), then counts.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action

from .models import Enrolment, EnrolmentStatus, Session


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def _check_owner(session: Session, structure) -> None:
    # Not found and forbidden look the same to the caller (PermissionDenied → 404 in views).
    if not session.stage.programme.owners.filter(pk=structure.pk).exists():
        raise PermissionDenied


def enrol(*, session: Session, person, structure, actor, via: str = "web") -> Enrolment:
    """A seat if one is free, else a rank on the waiting list, else a French refusal."""
    _check_owner(session, structure)
    if person.structure_id != structure.pk:
        raise PermissionDenied
    try:
        with transaction.atomic():
            session = _locked(session)
            live = session.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
            if live.filter(person=person).exists():
                raise ValidationError(
                    "Cette personne est déjà inscrite à cette session (ou en liste d'attente)."
                )
            if live.filter(status=EnrolmentStatus.ENROLLED).count() < session.capacity:
                enrolment = Enrolment.objects.create(
                    session=session, person=person, status=EnrolmentStatus.ENROLLED, created_by=actor
                )
            elif session.waiting_list:
                last = session.enrolments.aggregate(rank=Max("waiting_rank"))["rank"] or 0
                enrolment = Enrolment.objects.create(
                    session=session,
                    person=person,
                    status=EnrolmentStatus.WAITING,
                    waiting_rank=last + 1,
                    created_by=actor,
                )
            else:
                raise ValidationError("La session est complète et n'a pas de liste d'attente.")
    except IntegrityError as error:  # the unique live enrolment, raced
        raise ValidationError(
            "Cette personne est déjà inscrite à cette session (ou en liste d'attente)."
        ) from error
    record(action=Action.CREATE, actor=actor, structure=structure, obj=enrolment, person=person, via=via)
    return enrolment


def cancel(*, enrolment: Enrolment, structure, actor, via: str = "web") -> Enrolment | None:
    """Frees the seat; the first on the waiting list takes it. Returns the promoted enrolment."""
    _check_owner(enrolment.session, structure)
    promoted = None
    with transaction.atomic():
        _locked(enrolment.session)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.CANCELLED:
            return None
        freed = enrolment.status == EnrolmentStatus.ENROLLED
        enrolment.status, enrolment.cancelled_at = EnrolmentStatus.CANCELLED, timezone.now()
        enrolment.save(update_fields=["status", "cancelled_at"])
        if freed:
            promoted = (
                enrolment.session.enrolments.filter(status=EnrolmentStatus.WAITING)
                .order_by("waiting_rank", "id")
                .first()
            )
            if promoted:
                promoted.status = EnrolmentStatus.ENROLLED
                promoted.save(update_fields=["status"])
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=enrolment,
        person=enrolment.person,
        fields=["status"],
        via=via,
    )
    if promoted:
        record(
            action=Action.UPDATE,
            actor=actor,
            structure=structure,
            obj=promoted,
            person=promoted.person,
            fields=["status"],
            detail="liste d'attente",
            via=via,
        )
    return promoted

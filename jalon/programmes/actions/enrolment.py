"""Enrolling and cancelling: capacity is never exceeded, the waiting list promotes in order.

Both hold when two staff members enrol at the same moment: every change locks the session row
first (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), then counts.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.text import agree

from .. import rules
from ..models import SEATED, Enrolment, EnrolmentStatus, Session
from .common import _check_owner, _locked, _mark_enrolment, _timeline
from .invitations import _send, session_text


@transaction.atomic  # the audit event and the timeline line commit with the enrolment, or nothing does
def enrol(
    *,
    session: Session,
    person,
    structure,
    actor,
    via: str | None = None,
    check_rules: bool = True,
    override: bool = False,
) -> Enrolment:
    """A seat if one is free, else a rank on the waiting list, else a French refusal.

    The stage's entry rules must hold, unless the coordination decides otherwise (`override`),
    which the audit event says.
    """
    _check_owner(session, structure)
    if person.structure_id != structure.pk:
        raise PermissionDenied
    if check_rules and not override:
        reasons = rules.check(session.stage, [person.pk])[person.pk]
        if reasons:
            raise ValidationError("Conditions d'entrée non remplies : " + " ; ".join(reasons) + ".")
    try:
        with transaction.atomic():
            session = _locked(session)
            live = session.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
            if live.filter(person=person).exists():
                raise ValidationError(
                    "Cette personne est déjà inscrite à cette session (ou en liste d'attente)."
                )
            if live.filter(status__in=SEATED).count() < session.capacity:
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
            _mark_enrolment(enrolment)
    except IntegrityError as error:  # the unique live enrolment, raced
        raise ValidationError(
            "Cette personne est déjà inscrite à cette session (ou en liste d'attente)."
        ) from error
    detail = "conditions d'entrée passées outre" if override else ""
    record(
        action=Action.CREATE,
        actor=actor,
        structure=structure,
        obj=enrolment,
        person=person,
        via=via,
        detail=detail,
    )
    _timeline(
        enrolment,
        f"{agree(person, 'Inscrit')} : {session}" + (" (liste d'attente)" if enrolment.waiting_rank else ""),
        actor,
    )
    return enrolment


@transaction.atomic  # the change, its audit events and the message to the promoted person, together
def cancel(*, enrolment: Enrolment, structure, actor, via: str | None = None) -> Enrolment | None:
    """Frees the seat; the first on the waiting list takes it. Returns the promoted enrolment."""
    _check_owner(enrolment.session, structure)
    promoted = None
    with transaction.atomic():
        _locked(enrolment.session)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.CANCELLED:
            return None
        if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING):
            raise ValidationError(
                "Cette étape est terminée pour cette personne : l'inscription reste dans son parcours."
            )
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
                _mark_enrolment(promoted)  # their first entry into the stage may have moved
        _mark_enrolment(enrolment)
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
        person = promoted.person
        _timeline(
            promoted, f"Une place s'est libérée : {agree(person, 'inscrit')} à {promoted.session}", actor
        )
        body = session_text(
            promoted.session,
            lead="une place s'est libérée : votre inscription est confirmée pour",
            first_name=person.first_name,
        )
        _send(
            promoted.session,
            person,
            kind="place",
            body=body,
            structure=person.structure,
            key=f"{promoted.pk}",
        )
    return promoted

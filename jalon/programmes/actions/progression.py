"""Progression and exits: the end of a stage, the exit from a programme (DGEFP categories),
peers and the digital diagnostic."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.people.models import PersonEvent
from jalon.text import agree

from .. import rules
from ..models import DYNAMIC, EXIT_SUBTYPES, Enrolment, EnrolmentStatus, Exit, LeftReason, Peer, Programme
from .common import _check_owner, _event, _mark_enrolment, _timeline, mark_dirty, owns
from .enrolment import cancel


@transaction.atomic
def finish(
    *, enrolment: Enrolment, structure, actor, ended_on: date, reason: str = "", via: str | None = None
) -> Enrolment:
    """Completed (no reason) or left during the stage (with a reason)."""
    _check_owner(enrolment.session, structure)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(
            "Seule une personne inscrite (pas en attente ni annulée) peut terminer ou quitter l'étape."
        )
    if ended_on < enrolment.session.starts_on:
        raise ValidationError("La fin d'étape ne peut pas précéder le début de la session.")
    if reason and reason not in LeftReason.values:
        raise ValidationError("Motif de départ inconnu.")
    enrolment.status = EnrolmentStatus.LEFT if reason else EnrolmentStatus.COMPLETED
    enrolment.ended_on, enrolment.left_reason = ended_on, reason
    enrolment.save(update_fields=["status", "ended_on", "left_reason"])
    _mark_enrolment(enrolment)
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=enrolment,
        person=enrolment.person,
        fields=["status", "ended_on"],
        via=via,
    )
    stage = enrolment.session.stage
    label = (
        f"Étape terminée : {stage.name}"
        if not reason
        else f"A quitté l'étape {stage.name} ({enrolment.left_reason_label})"
    )
    _timeline(enrolment, label, actor)
    return enrolment


@transaction.atomic
def record_exit(
    *,
    programme: Programme,
    person,
    structure,
    actor,
    category: str,
    subtype: str,
    exited_on: date,
    via: str | None = None,
) -> Exit:
    """Records how the person left the programme, and ends their live enrolments in it: they
    leave a session under way on the exit date (with a reason that follows the exit), and give
    up their seats in sessions not started by then and their places on waiting lists (the next
    person waiting is told). Each of those changes is audited and marks its days dirty."""
    if not owns(programme, structure) or person.structure_id != structure.pk:
        raise PermissionDenied
    if subtype not in EXIT_SUBTYPES.get(category, {}):
        raise ValidationError("Choisissez une catégorie de sortie et une précision qui en fait partie.")
    previous = Exit.objects.filter(programme=programme, person=person).first()
    exit_, _ = Exit.objects.update_or_create(
        programme=programme,
        person=person,
        defaults={"category": category, "subtype": subtype, "exited_on": exited_on, "recorded_by": actor},
    )
    days = [exited_on] + ([previous.exited_on] if previous else [])
    mark_dirty(programme_id=programme.pk, stage_id=None, days=days)
    record(
        action=Action.UPDATE if previous else Action.CREATE,
        actor=actor,
        structure=structure,
        obj=exit_,
        person=person,
        via=via,
    )
    label = f"Sortie de {programme.name} : {exit_.get_category_display()} — {exit_.subtype_label}"
    _event(person, structure, "sortie", label, actor)
    _end_enrolments(exit_, structure=structure, actor=actor, via=via)
    return exit_


def _left_reason(exit_: Exit) -> str:
    if exit_.category in DYNAMIC:
        return LeftReason.EMPLOYMENT
    return LeftReason.NO_NEWS if exit_.subtype == "sans_nouvelles" else LeftReason.OTHER


def _end_enrolments(exit_: Exit, *, structure, actor, via: str) -> None:
    live = (
        Enrolment.objects.filter(
            person_id=exit_.person_id,
            session__stage__programme_id=exit_.programme_id,
            status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING),
        )
        .select_related("session__stage__programme", "person__structure")
        .order_by("session__starts_on", "pk")
    )
    for enrolment in live:
        if enrolment.status == EnrolmentStatus.ENROLLED and enrolment.session.starts_on <= exit_.exited_on:
            finish(
                enrolment=enrolment,
                structure=structure,
                actor=actor,
                ended_on=exit_.exited_on,
                reason=_left_reason(exit_),
                via=via,
            )
        else:
            cancel(enrolment=enrolment, structure=structure, actor=actor, via=via)


@transaction.atomic
def mark_peer(*, person, structure, actor) -> Peer:
    if person.structure_id != structure.pk:
        raise PermissionDenied
    peer, created = Peer.objects.get_or_create(person=person, defaults={"marked_by": actor})
    if created:
        record(action=Action.CREATE, actor=actor, structure=structure, obj=peer, person=person)
        label = f"Devient {agree(person, 'pair', 'paire')} : accueille les nouvelles personnes"
        _event(person, structure, "pair", label, actor)
    return peer


@transaction.atomic
def record_diagnostic(*, person, structure, actor) -> None:
    """Until the diagnostic module exists: "diagnostic numérique réalisé", on the timeline."""
    if person.structure_id != structure.pk:
        raise PermissionDenied
    if not PersonEvent.objects.filter(person=person, kind=rules.DIAGNOSTIC_EVENT).exists():
        _event(person, structure, rules.DIAGNOSTIC_EVENT, "Diagnostic numérique réalisé", actor)
        record(action=Action.UPDATE, actor=actor, structure=structure, obj=person, fields=["diagnostic"])

"""Writes of the intake (point de situation) and the three-level action plan."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.people.models import Person

from ..models import (
    Intake,
    IntakeNeed,
    PlanAction,
    PlanAxis,
    PlanObjective,
)
from ._common import _own, _timeline

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

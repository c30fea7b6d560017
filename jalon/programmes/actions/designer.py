"""Designing programmes: programmes, stages and their order, entry rules, copies, sessions and
their trainers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action

from ..models import EntryRule, Peer, Programme, RuleKind, Session, Slot, Stage, Trainer
from .common import _check_owner, owns


@transaction.atomic
def create_programme(
    *, structure, actor, name: str, description: str = "", is_template: bool = False
) -> Programme:
    programme = Programme.objects.create(name=name, description=description, is_template=is_template)
    programme.owners.add(structure)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=programme)
    return programme


@transaction.atomic
def add_stage(*, programme: Programme, structure, actor, **fields) -> Stage:
    if not owns(programme, structure):
        raise PermissionDenied
    last = programme.stages.aggregate(last=Max("position"))["last"] or 0
    stage = Stage.objects.create(programme=programme, position=last + 1, **fields)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=stage)
    return stage


@transaction.atomic
def move_stage(*, stage: Stage, structure, actor, up: bool) -> None:
    """Swaps the stage with its neighbour (buttons, not drag-only: usable with the keyboard)."""
    if not owns(stage.programme, structure):
        raise PermissionDenied
    stages = list(
        Stage.objects.select_for_update().filter(programme_id=stage.programme_id).order_by("position")
    )
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(stages):
        return
    a, b = stages[index], stages[other]
    # Through a free position, so the unique (programme, position) holds at every statement.
    free = max(s.position for s in stages) + 1
    positions = a.position, b.position
    Stage.objects.filter(pk=a.pk).update(position=free)
    Stage.objects.filter(pk=b.pk).update(position=positions[0])
    Stage.objects.filter(pk=a.pk).update(position=positions[1])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=stage, fields=["position"])


@transaction.atomic
def add_rule(*, stage: Stage, structure, actor, kind: str, count=None, of_stage=None) -> EntryRule:
    if not owns(stage.programme, structure):
        raise PermissionDenied
    if kind == RuleKind.MIN_ATTENDED:
        if not count or of_stage is None:
            raise ValidationError("Indiquez le nombre de séances et l'étape à suivre.")
        if of_stage.programme_id != stage.programme_id or of_stage.pk == stage.pk:
            raise ValidationError("L'étape à suivre doit être une autre étape de ce programme.")
    else:
        count = of_stage = None
    rule = EntryRule.objects.create(stage=stage, kind=kind, count=count, of_stage=of_stage)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=rule)
    return rule


@transaction.atomic
def copy_programme(*, programme: Programme, structure, actor, name: str) -> Programme:
    """A new programme with the same stages and entry rules, owned by `structure`; no sessions."""
    if not (owns(programme, structure) or programme.is_template):
        raise PermissionDenied
    copy = Programme.objects.create(name=name, description=programme.description, copied_from=programme)
    copy.owners.add(structure)
    mapping = {}
    for stage in programme.stages.order_by("position"):
        mapping[stage.pk] = Stage.objects.create(
            programme=copy,
            position=stage.position,
            name=stage.name,
            kind=stage.kind,
            description=stage.description,
            typical_days=stage.typical_days,
            capacity=stage.capacity,
        )
    for rule in EntryRule.objects.filter(stage__programme=programme).order_by("pk"):
        EntryRule.objects.create(
            stage=mapping[rule.stage_id],
            kind=rule.kind,
            count=rule.count,
            of_stage=mapping.get(rule.of_stage_id),
        )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=copy, detail="copie d'un programme")
    return copy


@transaction.atomic
def schedule_session(*, stage: Stage, structure, actor, slots: list[tuple], **fields) -> Session:
    """A session with its time slots (half-days), each (starts_at, ends_at) or (starts_at,
    ends_at, title, topic); `fields` may give the session a title and a topic."""
    if not owns(stage.programme, structure):
        raise PermissionDenied
    if not slots:
        raise ValidationError("Ajoutez au moins un créneau.")
    slots = sorted((s, e, *(list(more) + ["", ""])[:2]) for s, e, *more in slots)
    for starts_at, ends_at, *_ in slots:
        if ends_at <= starts_at:
            raise ValidationError("Chaque créneau doit finir après son début.")
    starts_on = min(timezone.localtime(s).date() for s, *_ in slots)
    session = Session.objects.create(stage=stage, starts_on=starts_on, **fields)
    Slot.objects.bulk_create(
        [
            Slot(session=session, starts_at=s, ends_at=e, title=title, topic=topic)
            for s, e, title, topic in slots
        ]
    )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=session)
    return session


TRAINER_CHOICE = "Choisissez un·e pair·e, vous-même ou le nom d'un·e intervenant·e."


@transaction.atomic
def add_trainer(*, session: Session, structure, actor, user=None, person=None, label: str = "") -> Trainer:
    """Who leads the session: a member of the structure's staff, one of its peers (Peer), or an
    outside speaker by name. Adding the same member or peer again changes nothing."""
    _check_owner(session, structure)
    label = label.strip()[:120]
    if [user is not None, person is not None, bool(label)].count(True) != 1:
        raise ValidationError(TRAINER_CHOICE)
    if user is not None and not user.memberships.filter(structure=structure).exists():
        raise PermissionDenied
    if person is not None and not Peer.objects.of_people_of(structure).filter(person=person).exists():
        raise PermissionDenied
    if label:
        trainer, created = Trainer.objects.create(session=session, label=label), True
    else:
        trainer, created = Trainer.objects.get_or_create(session=session, user=user, person=person)
    if created:
        record(action=Action.CREATE, actor=actor, structure=structure, obj=trainer)
    return trainer

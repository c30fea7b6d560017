"""Entry rules of a stage: small pure functions of a person's facts, then the queries that load them.

`unmet(rules, facts)` answers "what is missing for this person to enter", in French, without the
database, so "2 workshops attended is not enough, the third makes it" is a plain unit test. The
facts of many people are loaded with one grouped query per kind of fact (`facts_for`).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from jalon.people.models import PersonEvent

from .models import ATTENDED, Attendance, Enrolment, EnrolmentStatus, EntryRule, Invitation, RuleKind, Stage

# The person-file timeline kind that says "digital diagnostic done" (recorded by hand until the
# diagnostic module exists; the diagnostic issue will write the same event).
DIAGNOSTIC_EVENT = "diagnostic_numerique"


@dataclass(frozen=True)
class Facts:
    # stage id → number of sessions of that stage the person attended (at least one slot present or late)
    attended: dict = field(default_factory=dict)
    diagnostic_done: bool = False
    invited_to: frozenset = frozenset()  # stage ids the person was invited to
    completed: frozenset = frozenset()  # stage ids the person completed


@dataclass(frozen=True)
class RuleView:
    """What a rule needs, detached from the ORM so the check stays pure."""

    kind: str
    count: int | None = None
    of_stage_id: int | None = None
    of_stage_name: str = ""


def view(rule: EntryRule) -> RuleView:
    return RuleView(
        kind=rule.kind,
        count=rule.count,
        of_stage_id=rule.of_stage_id,
        of_stage_name=rule.of_stage.name if rule.of_stage_id else "",
    )


def missing(rule: RuleView, facts: Facts, *, stage_id: int, previous_id: int | None) -> str | None:
    """The French reason this rule does not hold for these facts, or None when it holds."""
    if rule.kind == RuleKind.MIN_ATTENDED:
        done = facts.attended.get(rule.of_stage_id, 0)
        if done >= (rule.count or 0):
            return None
        return f"{done} séance(s) suivie(s) de « {rule.of_stage_name} » sur {rule.count} demandée(s)"
    if rule.kind == RuleKind.DIAGNOSTIC:
        return None if facts.diagnostic_done else "diagnostic numérique pas encore fait"
    if rule.kind == RuleKind.INVITED:
        return None if stage_id in facts.invited_to else "pas encore invitée par la coordination"
    if rule.kind == RuleKind.PREVIOUS:
        if previous_id is None or previous_id in facts.completed:
            return None
        return "étape précédente pas encore terminée"
    return f"condition inconnue « {rule.kind} »"


def unmet(rules: list[RuleView], facts: Facts, *, stage_id: int, previous_id: int | None) -> list[str]:
    reasons = (missing(rule, facts, stage_id=stage_id, previous_id=previous_id) for rule in rules)
    return [reason for reason in reasons if reason]


def previous_stage_id(stage: Stage) -> int | None:
    return (
        Stage.objects.filter(programme_id=stage.programme_id, position__lt=stage.position)
        .order_by("-position")
        .values_list("pk", flat=True)
        .first()
    )


def facts_for(person_ids) -> dict[int, Facts]:
    """The facts of many people: four grouped queries whatever their number."""
    person_ids = list(person_ids)
    attended: dict[int, dict] = defaultdict(dict)
    rows = (
        Attendance.objects.filter(person_id__in=person_ids, status__in=ATTENDED)
        .values("person_id", "stage_id")
        .annotate(n=Count("enrolment_id", distinct=True))
    )
    for row in rows:
        attended[row["person_id"]][row["stage_id"]] = row["n"]
    diagnosed = set(
        PersonEvent.objects.filter(person_id__in=person_ids, kind=DIAGNOSTIC_EVENT).values_list(
            "person_id", flat=True
        )
    )
    invited: dict[int, set] = defaultdict(set)
    for person_id, stage_id in Invitation.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "session__stage_id"
    ):
        invited[person_id].add(stage_id)
    completed: dict[int, set] = defaultdict(set)
    for person_id, stage_id in Enrolment.objects.filter(
        person_id__in=person_ids, status=EnrolmentStatus.COMPLETED
    ).values_list("person_id", "session__stage_id"):
        completed[person_id].add(stage_id)
    return {
        pid: Facts(
            attended=dict(attended.get(pid, {})),
            diagnostic_done=pid in diagnosed,
            invited_to=frozenset(invited.get(pid, ())),
            completed=frozenset(completed.get(pid, ())),
        )
        for pid in person_ids
    }


def check(stage: Stage, person_ids) -> dict[int, list[str]]:
    """person id → what they miss to enter `stage` (empty list: eligible)."""
    rules = [view(rule) for rule in stage.rules.select_related("of_stage")]
    previous = previous_stage_id(stage)
    facts = facts_for(person_ids)
    return {pid: unmet(rules, f, stage_id=stage.pk, previous_id=previous) for pid, f in facts.items()}


def proposals(stage: Stage, structure, limit: int = 200) -> list[int]:
    """People of `structure` who meet every rule of `stage` and are not in it yet.

    Candidates come from the rule that narrows most: attendance of the stage a MIN_ATTENDED rule
    names, or completion of the previous stage; a stage without either proposes nobody (anybody
    could enter it: the coordinator enrols directly).
    """
    rules = list(stage.rules.select_related("of_stage"))
    already = Enrolment.objects.filter(session__stage=stage).exclude(status=EnrolmentStatus.CANCELLED)
    candidates = None
    for rule in rules:
        if rule.kind == RuleKind.MIN_ATTENDED and rule.of_stage_id:
            candidates = (
                Attendance.objects.of_people_of(structure)
                .filter(stage_id=rule.of_stage_id, status__in=ATTENDED)
                .values("person_id")
                .annotate(n=Count("enrolment_id", distinct=True))
                .filter(n__gte=rule.count or 0)
                .values("person_id")
            )
            break
    if candidates is None and any(rule.kind == RuleKind.PREVIOUS for rule in rules):
        previous = previous_stage_id(stage)
        candidates = (
            Enrolment.objects.of_people_of(structure)
            .filter(session__stage_id=previous, status=EnrolmentStatus.COMPLETED)
            .values("person_id")
        )
    if candidates is None:
        return []
    ids = list(
        candidates.exclude(person_id__in=already.values("person_id"))
        .filter(person__archived_at__isnull=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()[:limit]
    )
    return [pid for pid, reasons in check(stage, ids).items() if not reasons]

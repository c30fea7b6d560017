"""Daily roll-ups for the funnel, and the funnel read from them.

Enrolments and attendance grow without bound (20 million attendance rows at national scale); the
dashboard must not read them. Each change marks its (stage, day) dirty in the same transaction;
`refresh()` rebuilds exactly those days from the source rows, with grouped queries per batch, so
a correction of an old roll call is reflected at the next run. `funnel()` reads StageDay and
ExitDay only: its cost depends on the number of stages and days, not on the number of people.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Sum

from jalon import smallcounts

from .models import (
    DYNAMIC,
    LEFT_REASON_NEUTRAL,
    SEATED,
    Attendance,
    DirtyDay,
    Enrolment,
    EnrolmentStatus,
    Exit,
    ExitCategory,
    ExitDay,
    LeftReason,
    RollupRun,
    Stage,
    StageDay,
)

BATCH = 2000


# Any constant: the key of the PostgreSQL advisory lock that lets one roll-up batch run at a time.
LOCK_KEY = 5_0005


def refresh() -> int:
    """Rebuilds the dirty days; returns how many (stage or programme, day) pairs were rebuilt.

    Deletes exactly the DirtyDay rows it read, by id: ids are taken when a row is inserted, not
    when it commits, so a transaction that started earlier may commit a lower id after this
    read, and "every id up to the last one read" would drop it unrebuilt. Stops at the first
    batch that is not full: rows committed meanwhile queue their own refresh (actions.mark_dirty),
    so a busy day never keeps one run going.
    """
    total = 0
    while True:
        with transaction.atomic():
            _lock()
            rows = list(
                DirtyDay.objects.order_by("pk").values_list("pk", "programme_id", "stage_id", "day")[:BATCH]
            )
            stage_days = {(stage, day) for _, _, stage, day in rows if stage}
            exit_days = {(programme, day) for _, programme, stage, day in rows if not stage}
            _stages(stage_days)
            _exits(exit_days)
            DirtyDay.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
            total += len(stage_days) + len(exit_days)
        if len(rows) < BATCH:
            break
    RollupRun.objects.create(days=total)
    return total


def _lock() -> None:
    """Two runs at once (the job queued on commit and the periodic one) would rebuild the same
    day twice and collide on StageDay's unique (stage, day): batches take turns. SQLite already
    serialises write transactions (IMMEDIATE mode, settings.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _stages(pairs: set) -> None:
    if not pairs:
        return
    stage_ids = {s for s, _ in pairs}
    days = {d for _, d in pairs}
    programme_of = dict(Stage.objects.filter(pk__in=stage_ids).values_list("pk", "programme_id"))
    figures: dict = defaultdict(lambda: {"left_reasons": Counter()})
    for row in (
        Enrolment.objects.filter(
            session__stage_id__in=stage_ids, session__starts_on__in=days, status__in=SEATED
        )
        .values(stage=F("session__stage_id"), day=F("session__starts_on"))
        .annotate(n=Count("*"))
    ):
        figures[(row["stage"], row["day"])]["entered"] = row["n"]
    for row in (
        Enrolment.objects.filter(
            session__stage_id__in=stage_ids,
            ended_on__in=days,
            status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.LEFT],
        )
        .values("status", "left_reason", stage=F("session__stage_id"), day=F("ended_on"))
        .annotate(n=Count("*"), spent=Sum(F("ended_on") - F("session__starts_on")))
    ):
        cell = figures[(row["stage"], row["day"])]
        key = "completed" if row["status"] == EnrolmentStatus.COMPLETED else "left"
        cell[key] = cell.get(key, 0) + row["n"]
        spent = row["spent"]
        spent_days = spent.days if hasattr(spent, "days") else int(spent or 0) // 86_400_000_000
        # Inclusive: a one-day workshop lasts one day, not zero.
        cell["days_in_stage"] = cell.get("days_in_stage", 0) + spent_days + row["n"]
        if row["left_reason"]:
            cell["left_reasons"][row["left_reason"]] += row["n"]
    # First entries and first completions: each person's earliest day in the stage, among the
    # people who have one on a dirty day (everyone on a full rebuild, a few on the ten-minute run).
    # A grouped MIN, not a NOT EXISTS per row: PostgreSQL ran the latter as a sub-plan per
    # enrolment (over ten minutes at 2.4 million enrolments).
    for key, status, day_field, dirty_filter in (
        ("people_entered", SEATED, "session__starts_on", {"session__starts_on__in": days}),
        ("people_completed", [EnrolmentStatus.COMPLETED], "ended_on", {"ended_on__in": days}),
    ):
        in_stages = Enrolment.objects.filter(session__stage_id__in=stage_ids, status__in=status)
        touched = in_stages.filter(**dirty_filter).values("person_id")
        firsts = (
            in_stages.filter(person_id__in=touched)
            .values("person_id", stage=F("session__stage_id"))
            .annotate(first=Min(day_field))
            .values_list("stage", "first")
        )
        counted = Counter(pair for pair in firsts.iterator(chunk_size=20_000) if pair in pairs)
        for pair, n in counted.items():
            figures[pair][key] = n
    for row in (
        Attendance.objects.filter(stage_id__in=stage_ids, day__in=days)
        .values("stage_id", "day", "status")
        .annotate(n=Count("*"))
    ):
        figures[(row["stage_id"], row["day"])][row["status"]] = row["n"]
    rebuilt = StageDay.objects.filter(stage_id__in=stage_ids, day__in=days).values_list(
        "pk", "stage_id", "day"
    )
    StageDay.objects.filter(pk__in=[pk for pk, stage, day in rebuilt if (stage, day) in pairs]).delete()
    StageDay.objects.bulk_create(
        [
            StageDay(
                programme_id=programme_of[stage],
                stage_id=stage,
                day=day,
                entered=cell.get("entered", 0),
                completed=cell.get("completed", 0),
                people_entered=cell.get("people_entered", 0),
                people_completed=cell.get("people_completed", 0),
                left=cell.get("left", 0),
                days_in_stage=cell.get("days_in_stage", 0),
                left_reasons=dict(cell["left_reasons"]),
                present=cell.get("present", 0),
                late=cell.get("retard", 0),
                excused=cell.get("excuse", 0),
                absent=cell.get("absent", 0),
            )
            for (stage, day), cell in figures.items()
            if (stage, day) in pairs and stage in programme_of
        ]
    )


def _exits(pairs: set) -> None:
    if not pairs:
        return
    programmes = {p for p, _ in pairs}
    days = {d for _, d in pairs}
    ExitDay.objects.filter(
        pk__in=[
            pk
            for pk, p, d in ExitDay.objects.filter(programme_id__in=programmes, day__in=days).values_list(
                "pk", "programme_id", "day"
            )
            if (p, d) in pairs
        ]
    ).delete()
    rows = (
        Exit.objects.filter(programme_id__in=programmes, exited_on__in=days)
        .values("programme_id", "exited_on", "category", "subtype")
        .annotate(n=Count("*"))
    )
    ExitDay.objects.bulk_create(
        [
            ExitDay(
                programme_id=r["programme_id"],
                day=r["exited_on"],
                category=r["category"],
                subtype=r["subtype"],
                n=r["n"],
            )
            for r in rows
            if (r["programme_id"], r["exited_on"]) in pairs
        ]
    )


# --- Reading -----------------------------------------------------------------------------------


# Breakdowns about a person's health: small counts hidden outside the owning structure.
SENSITIVE_REASONS = {LeftReason.HEALTH.value}


@dataclass
class StageFigures:
    stage: Stage
    entered: int = 0
    completed: int = 0
    people_entered: int = 0
    people_completed: int = 0
    left: int = 0
    days_in_stage: int = 0
    left_reasons: Counter = field(default_factory=Counter)
    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    conversion: float | None = None  # people entering here ÷ people completing the previous stage
    # Small counts (jalon/smallcounts.py): set when the figures are read by a structure that does
    # not follow every person counted (a co-run programme).
    protected: bool = False

    @property
    def shown_reasons(self) -> dict:
        """Departure reasons by code, as they may be shown: a health reason under 5 is "< 5"."""
        if not self.protected:
            return dict(self.left_reasons)
        return smallcounts.protect(self.left_reasons, SENSITIVE_REASONS, self.left)[0]

    @property
    def left_shown(self) -> int | str:
        if not self.protected:
            return self.left
        return smallcounts.protect(self.left_reasons, SENSITIVE_REASONS, self.left)[1]

    @property
    def reasons(self) -> list[tuple[str, int | str]]:
        """Departure reasons in words, most frequent first (hidden small cells keep their rank)."""
        labels = LEFT_REASON_NEUTRAL
        shown = self.shown_reasons
        return [(str(labels.get(code, code)), shown[code]) for code, _ in self.left_reasons.most_common()]

    @property
    def marked(self) -> int:
        return self.present + self.late + self.excused + self.absent

    @property
    def attendance_rate(self) -> float | None:
        return (self.present + self.late) / self.marked if self.marked else None

    @property
    def mean_days(self) -> float | None:
        ended = self.completed + self.left
        return self.days_in_stage / ended if ended else None


@dataclass
class Funnel:
    stages: list
    exits: Counter  # (category, subtype) → n
    start: date
    end: date
    fresh_at: object  # datetime of the last refresh, or None

    @property
    def exits_by_category(self) -> list[tuple[str, str, int]]:
        totals = Counter()
        for (category, _), n in self.exits.items():
            totals[category] += n
        return [(c.value, c.label, totals.get(c.value, 0)) for c in ExitCategory]

    @property
    def exits_total(self) -> int:
        return sum(self.exits.values())

    @property
    def dynamic_rate(self) -> float | None:
        """Sortie dynamique: durable + transition + positive, over all exits."""
        total = self.exits_total
        dynamic = sum(n for (category, _), n in self.exits.items() if category in DYNAMIC)
        return dynamic / total if total else None

    @property
    def durable_rate(self) -> float | None:
        total = self.exits_total
        durable = sum(n for (category, _), n in self.exits.items() if category == ExitCategory.DURABLE)
        return durable / total if total else None


def funnel(programme, start: date, end: date) -> Funnel:
    """The programme's figures for days start..end (inclusive), from the roll-ups: four queries."""
    stages = list(programme.stages.order_by("position"))
    # A co-run programme's figures mix the people of several structures: each reader is outside
    # the owning structure of some of them, so sensitive small counts are hidden for all.
    protected = programme.owners.count() > 1
    figures = {s.pk: StageFigures(stage=s, protected=protected) for s in stages}
    rows = (
        StageDay.objects.filter(programme=programme, day__gte=start, day__lte=end)
        .values("stage_id")
        .annotate(
            entered=Sum("entered"),
            completed=Sum("completed"),
            people_entered=Sum("people_entered"),
            people_completed=Sum("people_completed"),
            left=Sum("left"),
            days_in_stage=Sum("days_in_stage"),
            present=Sum("present"),
            late=Sum("late"),
            excused=Sum("excused"),
            absent=Sum("absent"),
        )
    )
    for row in rows:
        cell = figures.get(row.pop("stage_id"))
        if cell:
            for key, value in row.items():
                setattr(cell, key, value or 0)
    # Reasons are few per day; summed here rather than in SQL (JSON differs between databases).
    for stage_id, reasons in StageDay.objects.filter(
        programme=programme, day__gte=start, day__lte=end, left__gt=0
    ).values_list("stage_id", "left_reasons"):
        if stage_id in figures:
            figures[stage_id].left_reasons.update(reasons)
    previous = None
    for stage in stages:
        cell = figures[stage.pk]
        if previous is not None and previous.people_completed:
            cell.conversion = cell.people_entered / previous.people_completed
        previous = cell
    exits = Counter()
    for category, subtype, n in (
        ExitDay.objects.filter(programme=programme, day__gte=start, day__lte=end)
        .values_list("category", "subtype")
        .annotate(total=Sum("n"))
    ):
        exits[(category, subtype)] += n
    fresh = RollupRun.objects.aggregate(at=Max("finished_at"))["at"]
    return Funnel([figures[s.pk] for s in stages], exits, start, end, fresh)

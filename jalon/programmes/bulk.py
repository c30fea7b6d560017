"""National-scale programme data for the bench: people through four stages over two years.

`bulk_programme(structure, people_ids, attendance_rows)` builds one programme whose sessions,
enrolments and attendance add up to about `attendance_rows` rows, written with executemany on
SQLite and COPY on PostgreSQL (the ORM's bulk_create is several times slower at 20 million
rows), then marks every day dirty so
the roll-ups are built by the real refresh. Each person goes to three workshops; half of them
then to a bootcamp, a quarter to the simulator, an eighth to the qualifying training — about 35
attendance rows per person.
"""

import random
from collections import deque
from datetime import datetime, time, timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from .models import (
    Attendance,
    DirtyDay,
    Enrolment,
    Exit,
    Programme,
    Session,
    Slot,
    Stage,
    StageKind,
)

# (kind, name, seats per session, slots per session, share of people who reach it)
STAGES = [
    (StageKind.WORKSHOP, "Ateliers découverte", 12, 1, 1.0),
    (StageKind.BOOTCAMP, "Bootcamp", 80, 10, 0.5),
    (StageKind.SIMULATOR, "Simulateur d'entreprise", 20, 60, 0.25),
    (StageKind.QUALIFYING, "Formation qualifiante", 15, 100, 0.125),
]
WORKSHOPS_EACH = 3
ROWS_PER_PERSON = WORKSHOPS_EACH + sum(slots * share for _, _, _, slots, share in STAGES[1:])
SPAN_DAYS = 730
STATUSES = ["present"] * 80 + ["retard"] * 5 + ["excuse"] * 8 + ["absent"] * 7
EXITS = [
    ("durable", "cdi"),
    ("durable", "cdd_6"),
    ("transition", "cdd_court"),
    ("positive", "formation"),
    ("autre", "recherche"),
]


def people_needed(attendance_rows: int) -> int:
    return max(1, round(attendance_rows / ROWS_PER_PERSON))


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """executemany on SQLite; COPY on PostgreSQL (executemany there ran at 17,000 rows/s)."""
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_table(model)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {_table(model)} ({names}) VALUES ({marks})", rows)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def bulk_programme(
    *, structure, name: str, people_ids: list[int], attendance_rows: int, seed: int = 0, log=print
) -> dict:
    rng = random.Random(seed)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    programme = Programme.objects.create(name=name)
    programme.owners.add(structure)
    stages = [
        Stage.objects.create(programme=programme, position=i + 1, name=label, kind=kind, capacity=seats)
        for i, (kind, label, seats, _, _) in enumerate(STAGES)
    ]
    people = people_ids[: people_needed(attendance_rows)]
    now = timezone.now()
    counts = {"people": len(people), "sessions": 0, "enrolments": 0, "attendance": 0, "exits": 0}
    # Who goes where, and when their path starts (spread over the two years).
    journeys = {}
    for pid in people:
        # Every path ends before today (the longest takes about 350 days): rows are predictable.
        start = rng.randrange(0, SPAN_DAYS - 400)
        draw = rng.random()
        depth = 4 if draw < 0.125 else 3 if draw < 0.25 else 2 if draw < 0.5 else 1
        journeys[pid] = (start, depth)
    session_id, slot_id, enrolment_id = _next_id(Session), _next_id(Slot), _next_id(Enrolment)
    for index, (stage, (_, _, seats, slots_each, _)) in enumerate(zip(stages, STAGES, strict=True)):
        # Seats to fill: (person, earliest day) for everyone who reaches this stage.
        seats_wanted = []
        for pid, (start, depth) in journeys.items():
            if depth > index:
                if index == 0:
                    seats_wanted += [(start + 7 * k, pid) for k in range(WORKSHOPS_EACH)]
                else:
                    seats_wanted.append((start + 30 + 60 * index, pid))
        seats_wanted.sort()
        pending = deque(seats_wanted)
        sessions, slots, enrolments, attendance = [], [], [], []
        while pending:
            # The next seats in time; a person already in this session waits for the next one.
            group, members, deferred = [], set(), []
            while pending and len(group) < seats:
                wanted = pending.popleft()
                if wanted[1] in members:
                    deferred.append(wanted)
                else:
                    group.append(wanted)
                    members.add(wanted[1])
            pending.extendleft(reversed(deferred))
            offset = min(group[-1][0], SPAN_DAYS - 1)
            starts_on = today - timedelta(days=SPAN_DAYS - offset)
            sessions.append((session_id, stage.pk, starts_on, seats, True, "", "", now, "", ""))
            slot_days = []
            for k in range(slots_each):
                day = starts_on + timedelta(days=k * 7 // 5 if slots_each > 1 else 0)
                starts_at = datetime.combine(day, time(9 if k % 2 == 0 else 14), tzinfo=tz)
                slots.append((slot_id + k, session_id, starts_at, starts_at + timedelta(hours=3), "", ""))
                slot_days.append((slot_id + k, day))
            ended_on = slot_days[-1][1]
            for _, pid in group:
                status = "terminee" if ended_on < today else "inscrite"
                if status == "terminee" and rng.random() < 0.08:
                    status = "partie"
                enrolments.append(
                    (
                        enrolment_id,
                        session_id,
                        pid,
                        status,
                        now,
                        ended_on if status != "inscrite" else None,
                        "motivation" if status == "partie" else "",
                    )
                )
                for sid, day in slot_days:
                    if day <= today:
                        attendance.append((sid, enrolment_id, pid, stage.pk, rng.choice(STATUSES), day, now))
                enrolment_id += 1
            slot_id += slots_each
            session_id += 1
            if len(attendance) > 200_000:
                _flush(sessions, slots, enrolments, attendance, counts)
        _flush(sessions, slots, enrolments, attendance, counts)
        log(f"  {stage.name} : {counts['attendance']:,} présences au total".replace(",", " "))
    exits = [
        (programme.pk, pid, *rng.choice(EXITS), today - timedelta(days=rng.randrange(0, SPAN_DAYS)), now)
        for pid in people
        if rng.random() < 0.3
    ]
    with transaction.atomic():
        _insert(Exit, ["programme_id", "person_id", "category", "subtype", "exited_on", "recorded_at"], exits)
    counts["exits"] = len(exits)
    # Ids were written explicitly: PostgreSQL's sequences must be moved past them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Session, Slot, Enrolment]):
            cursor.execute(sql)
    # Every day of every stage to roll up, as the actions would have marked them.
    days = [today - timedelta(days=d) for d in range(SPAN_DAYS + 200)]
    DirtyDay.objects.bulk_create(
        [DirtyDay(programme=programme, stage=s, day=d) for s in stages for d in days]
        + [DirtyDay(programme=programme, stage=None, day=d) for d in days],
        batch_size=5000,
    )
    return {"programme": programme, **counts}


def _flush(sessions, slots, enrolments, attendance, counts) -> None:
    with transaction.atomic():
        _insert(
            Session,
            [
                "id",
                "stage_id",
                "starts_on",
                "capacity",
                "waiting_list",
                "place",
                "remote_url",
                "created_at",
                "title",
                "topic",
            ],
            sessions,
        )
        _insert(Slot, ["id", "session_id", "starts_at", "ends_at", "title", "topic"], slots)
        _insert(
            Enrolment,
            ["id", "session_id", "person_id", "status", "created_at", "ended_on", "left_reason"],
            enrolments,
        )
        _insert(
            Attendance,
            ["slot_id", "enrolment_id", "person_id", "stage_id", "status", "day", "recorded_at"],
            attendance,
        )
    counts["sessions"] += len(sessions)
    counts["enrolments"] += len(enrolments)
    counts["attendance"] += len(attendance)
    for rows in (sessions, slots, enrolments, attendance):
        rows.clear()

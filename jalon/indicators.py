"""Indicators of repérage and accueil for one structure and one period, in a bounded number of
aggregate queries (about ten, whatever the volume). Over long periods, whole months that ended
more than ROLLED_AFTER_DAYS ago come from the monthly roll-ups (rollup.py), the rest directly:
the figures are the same either way (docs/decisions/0006-indicateurs-par-mois.md).

Definitions (also in jalon/guide/indicateurs.md):
- referred: referrals received in the period (by created_at);
- reached ("jointe"): among them, those with a first contact (first_contact_at set);
- accompanied ("accompagnée"): those welcomed (accueillie) or oriented (orientée) — a file exists;
- delay to first contact: first_contact_at − created_at, median over the reached referrals;
- dormant referrer: active, and no referral for JALON_DORMANT_DAYS days (as on the referrers page);
- orientations: created in the period, sent by and received by the structure; answer delay is
  answered_at − created_at, median over the answered ones;
- no-show rate: absent ÷ (vu + excusé + absent) over participants of non-cancelled appointments
  that started in the period.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Count, DurationField, ExpressionWrapper, F, Func, Q, Sum
from django.utils import timezone

from jalon.agenda.models import Outcome, Participant
from jalon.referrals import rollup
from jalon.referrals.models import (
    ACCOMPANIED,
    Orientation,
    OrientationStatus,
    Referral,
    ReferralDelayMonth,
    ReferralDirtyMonth,
    ReferralMonth,
    ReferralSource,
    Referrer,
    ReferrerKind,
)

DEFAULT_DAYS = 90
TOP_REFERRERS = 50
# Months that ended longer ago than this come from the monthly roll-ups (jalon/referrals/rollup.py).
# Any clean month could (a change marks its month dirty, and a dirty month is read directly): two
# weeks only keep the page off the months whose referrals are still being called, whose roll-ups
# are rebuilt most often. It was 90 days: a year then read four months of referrals directly.
ROLLED_AFTER_DAYS = 14


@dataclass
class Row:
    label: str
    referred: int
    reached: int
    accompanied: int

    @property
    def share_reached(self) -> float | None:
        return share(self.reached, self.referred)

    @property
    def share_accompanied(self) -> float | None:
        return share(self.accompanied, self.referred)


@dataclass
class Indicators:
    start: date
    end: date
    total: Row
    by_referrer: list[Row] = field(default_factory=list)
    by_kind: list[Row] = field(default_factory=list)
    median_first_contact: timedelta | None = None
    referrers_active: int = 0
    referrers_dormant: int = 0
    referrers_inactive: int = 0
    orientations_sent: dict[str, int] = field(default_factory=dict)
    orientations_received: dict[str, int] = field(default_factory=dict)
    median_answer_sent: timedelta | None = None
    median_answer_received: timedelta | None = None
    attendance: dict[str, int] = field(default_factory=dict)

    @property
    def no_show_rate(self) -> float | None:
        noted = sum(self.attendance.get(k, 0) for k in (Outcome.SEEN, Outcome.EXCUSED, Outcome.ABSENT))
        return share(self.attendance.get(Outcome.ABSENT, 0), noted)


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def median_delay(queryset, start_field: str, end_field: str, count: int) -> timedelta | None:
    """Median of end − start over rows where end is set: one query fetching one or two values."""
    if not count:
        return None
    middle = (count - 1) // 2
    size = 1 if count % 2 else 2
    queryset = queryset.filter(**{f"{end_field}__isnull": False})
    if connection.vendor == "sqlite":
        # Django subtracts datetimes on SQLite with a Python function called once per row, then
        # sorts: ~15 ms for a year of orientations. The same order from SQLite's own functions
        # (exact microseconds), and the difference of the one or two middle rows in Python.
        delay = ExpressionWrapper(
            _SqliteMicroseconds(F(end_field)) - _SqliteMicroseconds(F(start_field)),
            output_field=BigIntegerField(),
        )
        pairs = list(
            queryset.annotate(delay_us=delay)
            .order_by("delay_us", "pk")
            .values_list(start_field, end_field)[middle : middle + size]
        )
        values = [end - start for start, end in pairs]
    else:
        delay = ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())
        values = list(
            queryset.annotate(delay=delay)
            .order_by("delay", "pk")
            .values_list("delay", flat=True)[middle : middle + size]
        )
    if not values:
        return None
    return sum(values, timedelta()) / len(values)


class _SqliteMicroseconds(Func):
    """Microseconds since 1970 of a datetime as Django stores it in SQLite
    ("YYYY-MM-DD HH:MM:SS[.ffffff]", UTC). "%%%%s" reaches SQLite as strftime's "%s"."""

    template = (
        "(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) * 1000000 + CASE WHEN "
        "length(%(expressions)s) > 19 THEN CAST(substr(%(expressions)s, 21) AS INTEGER) ELSE 0 END)"
    )
    output_field = BigIntegerField()


SOURCE_LABELS = {
    ReferralSource.SELF: "Demande de la personne (affiche, « être rappelé·e »)",
}


def compute(structure, start: date, end: date, *, now=None, rolled: bool = True) -> Indicators:
    since, until = bounds(start, end)
    referrals = Referral.objects.filter(structure=structure, created_at__gte=since, created_at__lt=until)
    today = timezone.localdate(now) if now else timezone.localdate()
    plan = _plan(structure, start, end, today, now or timezone.now()) if rolled else None
    totals: dict = {}  # key -> [referred, reached, accompanied]
    if plan:
        # Whole months from the roll-ups; the rest of the period read directly (added), and the
        # parts of rolled edge months outside the period read directly too (subtracted).
        for sign, ranges in ((1, plan.added), (-1, plan.removed)):
            for part in _parts(structure, ranges):
                _accumulate(totals, _groups(part), sign)
        _accumulate(
            totals,
            ReferralMonth.objects.filter(structure=structure, month__in=plan.months)
            .values("referrer_id", "source")
            .annotate(referred=Sum("referred"), reached=Sum("reached"), accompanied=Sum("accompanied"))
            .order_by(),
            1,
        )
    else:
        _accumulate(totals, _groups(referrals), 1)
    total = Row("Toutes les demandes", 0, 0, 0)
    per_referrer: list[Row] = []
    per_kind: dict[str, Row] = {}
    ids = [key for key in totals if isinstance(key, int)]
    names = (
        {r["pk"]: r for r in Referrer.objects.filter(pk__in=ids).values("pk", "name", "kind")} if ids else {}
    )
    # Labels translated once, not once per group.
    kinds = {value: str(label) for value, label in ReferrerKind.choices}
    sources = {value: str(label) for value, label in ReferralSource.choices}
    # One pass over the merged groups (one per referrer, one per source without a referrer): a year
    # rolled up used to loop over every (month part, referrer, source) group.
    for key, counts in totals.items():
        if not counts[0]:
            continue  # only in a subtracted part: the direct computation has no such group
        _add(total, counts)
        if isinstance(key, int):
            info = names[key]
            kind_label = kinds.get(info["kind"], info["kind"])
            per_referrer.append(Row(f"{info['name']} ({kind_label})", *counts))
        else:
            source = SOURCE_LABELS.get(key[1], sources.get(key[1], key[1]))
            kind_label = f"Sans relais : {source}"
        _add(per_kind.setdefault(kind_label, Row(kind_label, 0, 0, 0)), counts)
    result = Indicators(start=start, end=end, total=total)
    result.by_referrer = sorted(per_referrer, key=lambda r: (-r.referred, r.label))[:TOP_REFERRERS]
    result.by_kind = sorted(per_kind.values(), key=lambda r: (-r.referred, r.label))
    if plan:
        result.median_first_contact = _median_from_histogram(structure, referrals, plan, total.reached)
    else:
        result.median_first_contact = _median_minutes(referrals, total.reached)

    limit = (now or timezone.now()) - timedelta(days=settings.JALON_DORMANT_DAYS)
    quiet = Q(last_referral_at__lt=limit) | Q(last_referral_at__isnull=True, created_at__lt=limit)
    referrers = Referrer.objects.filter(structure=structure).aggregate(
        active=Count("pk", filter=Q(is_active=True) & ~quiet),
        dormant=Count("pk", filter=Q(is_active=True) & quiet),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    result.referrers_active = referrers["active"]
    result.referrers_dormant = referrers["dormant"]
    result.referrers_inactive = referrers["inactive"]

    orientations = Orientation.objects.filter(created_at__gte=since, created_at__lt=until)
    for side, queryset in (
        ("sent", orientations.filter(from_structure=structure)),
        ("received", orientations.filter(target_structure=structure)),
    ):
        rows = list(queryset.values("status").annotate(n=Count("pk"), answered=Count("answered_at")))
        counts = {row["status"]: row["n"] for row in rows}
        setattr(result, f"orientations_{side}", {s: counts.get(s, 0) for s in OrientationStatus.values})
        answered = sum(row["answered"] for row in rows)
        setattr(
            result, f"median_answer_{side}", median_delay(queryset, "created_at", "answered_at", answered)
        )

    result.attendance = {
        row["outcome"]: row["n"]
        for row in Participant.objects.filter(
            appointment__structure=structure,
            appointment__cancelled_at__isnull=True,
            appointment__starts_at__gte=since,
            appointment__starts_at__lt=until,
        )
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by("outcome")
    }
    return result


def _accumulate(totals: dict, groups, sign: int) -> None:
    """Adds (sign=1) or subtracts (sign=-1) grouped counts, keyed by referrer id, or by
    ("source", source) for referrals without a referrer: the only keys the page shows."""
    for g in groups:
        key = g["referrer_id"] or ("source", g["source"])
        counts = totals.get(key)
        if counts is None:
            totals[key] = [sign * g["referred"], sign * g["reached"], sign * g["accompanied"]]
        else:
            counts[0] += sign * g["referred"]
            counts[1] += sign * g["reached"]
            counts[2] += sign * g["accompanied"]


def _groups(referrals) -> list[dict]:
    # PostgreSQL hashes (referrer, source) groups over referral_indicators in one pass. SQLite
    # has no hash aggregate: grouped by referrer alone, it reads referral_by_referrer in order
    # (no sort), then splits the referrals without a referrer by source. Totals and kinds are
    # summed from these few groups.
    counts = {
        # Counted on columns of referral_indicators, not the id (absent from it): PostgreSQL reads
        # that index alone instead of the table.
        "referred": Count("*"),
        "reached": Count("first_contact_minutes"),
        "accompanied": Count("status", filter=Q(status__in=ACCOMPANIED)),
    }
    if connection.vendor == "postgresql":
        # One hash aggregate over the period's index entries.
        return list(referrals.values("referrer_id", "source").annotate(**counts).order_by())
    groups = [
        {**g, "source": None}
        for g in referrals.filter(referrer__isnull=False).values("referrer_id").annotate(**counts).order_by()
    ]
    groups += [
        {**g, "referrer_id": None}
        for g in referrals.filter(referrer__isnull=True).values("source").annotate(**counts).order_by()
    ]
    return groups


@dataclass
class _Plan:
    months: list[date]  # read from the roll-ups
    added: list[tuple[datetime, datetime]]  # read directly, added
    removed: list[tuple[datetime, datetime]]  # read directly, subtracted (rolled months' outer parts)


def _parts(structure, ranges):
    # One query per range: each one reads a single range of referral_indicators (an OR of ranges
    # would make PostgreSQL visit the table through a bitmap instead).
    return [
        Referral.objects.filter(structure=structure, created_at__gte=a, created_at__lt=b) for a, b in ranges
    ]


def _plan(structure, start: date, end: date, today: date, now: datetime) -> _Plan | None:
    """Which months come from the roll-ups, which ranges are read directly; None: all directly.

    A month is rolled if it ended ROLLED_AFTER_DAYS ago and carries no dirty mark (a dirty month
    is read directly, so figures are never stale). An edge month only partly in the period is
    rolled too when what lies outside the period is shorter to read than what lies inside: that
    outer part is then read directly and subtracted. Periods up to DEFAULT_DAYS long are read
    directly (they read little, and the roll-ups would add queries)."""
    if (end - start).days < DEFAULT_DAYS:
        return None
    months = _rolled_months(structure, start, end, today, now)
    if not months:
        return None
    since, until = bounds(start, end)
    added, removed = [], []
    cursor = since
    for month in months:
        first, last = rollup.month_bounds(month)
        if cursor < first:
            added.append((cursor, first))
        if first < since:
            removed.append((first, since))
        if until < last:
            removed.append((until, last))
        cursor = last
    if cursor < until:
        added.append((cursor, until))
    return _Plan(months, added, removed)


def _span(a: datetime, b: datetime, now: datetime) -> timedelta:
    """What reading [a, b) directly costs: its length up to now (there are no referrals after)."""
    return max(timedelta(), min(b, now) - a)


def _rolled_months(structure, start: date, end: date, today: date, now: datetime | None = None) -> list[date]:
    """The months of the period read from the roll-ups (see _plan)."""
    now = now or timezone.now()
    since, until = bounds(start, end)
    horizon = today - timedelta(days=ROLLED_AFTER_DAYS)
    candidates = []
    month = start.replace(day=1)
    while month <= end and rollup.next_month(month) <= horizon:
        first, last = rollup.month_bounds(month)
        inside = _span(max(first, since), min(last, until), now)
        outside = _span(first, max(first, since), now) + _span(min(last, until), last, now)
        if outside < inside:
            candidates.append(month)
        month = rollup.next_month(month)
    if not candidates:
        return []
    dirty = set(
        ReferralDirtyMonth.objects.filter(
            structure=structure, month__gte=candidates[0], month__lte=candidates[-1]
        ).values_list("month", flat=True)
    )
    return [month for month in candidates if month not in dirty]


def _median_from_histogram(structure, referrals, plan: _Plan, count: int) -> timedelta | None:
    """Exact median delay: the hourly histograms (roll-ups for rolled months, grouped directly for
    the ranges read directly, added or subtracted) give the hour holding the middle rank and the
    rank within it; the referral_delay index then reads those few values in order."""
    if not count:
        return None
    hours = Counter()
    for hour, n in (
        ReferralDelayMonth.objects.filter(structure=structure, month__in=plan.months)
        .values("hour")
        .annotate(total=Sum("n"))
        .values_list("hour", "total")
    ):
        hours[hour] += n
    for sign, ranges in ((1, plan.added), (-1, plan.removed)):
        for part in _parts(structure, ranges):
            for row in rollup.delay_histogram(part):
                hours[row["hour"]] += sign * row["n"]
    middle, size = (count - 1) // 2, 1 if count % 2 else 2
    seen, first_hour, offset, last_hour = 0, None, 0, None
    for hour in sorted(hours):
        if first_hour is None and seen + hours[hour] > middle:
            first_hour, offset = hour, middle - seen
        seen += hours[hour]
        if seen > middle + size - 1:
            last_hour = hour
            break
    if first_hour is None or last_hour is None:
        return None
    values = list(
        referrals.filter(
            first_contact_minutes__gte=first_hour * 60, first_contact_minutes__lt=(last_hour + 1) * 60
        )
        .order_by("first_contact_minutes")
        .values_list("first_contact_minutes", flat=True)[offset : offset + size]
    )
    return timedelta(minutes=sum(values) / len(values)) if values else None


def _add(row: Row, counts) -> None:
    row.referred += counts[0]
    row.reached += counts[1]
    row.accompanied += counts[2]


def _median_minutes(referrals, count: int) -> timedelta | None:
    """Median delay to first contact, from the stored minutes: one or two values, sorted in SQL."""
    if not count:
        return None
    middle, size = (count - 1) // 2, 1 if count % 2 else 2
    values = list(
        referrals.filter(first_contact_minutes__isnull=False)
        .order_by("first_contact_minutes")
        .values_list("first_contact_minutes", flat=True)[middle : middle + size]
    )
    return timedelta(minutes=sum(values) / len(values)) if values else None


def long_rows(ind: Indicators) -> list[tuple[str, str, str]]:
    """The indicators as (indicateur, dimension, valeur) rows: the CSV and the API use them."""
    rows = []

    def add(name, dimension, value):
        rows.append((name, dimension, "" if value is None else str(value)))

    for prefix, items in (("", [ind.total]), ("relais:", ind.by_referrer), ("type:", ind.by_kind)):
        for row in items:
            dimension = f"{prefix}{row.label}" if prefix else "total"
            add("demandes", dimension, row.referred)
            add("jointes", dimension, row.reached)
            add("accompagnees", dimension, row.accompanied)
            add("part_jointes_pct", dimension, row.share_reached)
            add("part_accompagnees_pct", dimension, row.share_accompanied)
    add("delai_median_premier_contact_heures", "total", hours(ind.median_first_contact))
    add("relais_actifs", "total", ind.referrers_active)
    add("relais_en_sommeil", "total", ind.referrers_dormant)
    add("relais_desactives", "total", ind.referrers_inactive)
    for status, n in ind.orientations_sent.items():
        add("orientations_envoyees", status, n)
    add("delai_median_reponse_envoyees_heures", "total", hours(ind.median_answer_sent))
    for status, n in ind.orientations_received.items():
        add("orientations_recues", status, n)
    add("delai_median_reponse_recues_heures", "total", hours(ind.median_answer_received))
    for outcome in Outcome.values:
        add("presences_rendez_vous", outcome, ind.attendance.get(outcome, 0))
    add("taux_absence_pct", "total", ind.no_show_rate)
    return rows


def hours(delay: timedelta | None) -> float | None:
    return None if delay is None else round(delay.total_seconds() / 3600, 1)

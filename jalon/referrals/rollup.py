"""Monthly roll-ups of the repérage indicators, kept in step with the referrals.

Over a year the indicators would read every referral of the period (and sort them all for the
median delay). Each change that moves a figure — a referral received, its status or first contact
changed — marks its (structure, month) dirty in the same transaction and queues `refresh()` on
commit; a periodic job is the safety net. `refresh()` rebuilds exactly the dirty months from the
referrals. Until then `indicators.compute()` reads a dirty month directly, so the page never shows
a stale figure (the pattern of jalon/programmes/rollup.py, docs/decisions/0006-indicateurs.md).
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, F, IntegerField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from .models import (
    ACCOMPANIED,
    Referral,
    ReferralDelayMonth,
    ReferralDirtyMonth,
    ReferralMonth,
)

BATCH = 200


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(month, datetime.min.time(), tzinfo=tz),
        datetime.combine(next_month(month), datetime.min.time(), tzinfo=tz),
    )


def mark_dirty(*, structure_id: int, created_at: datetime) -> None:
    """Call inside the transaction that changes a referral's counted fields."""
    ReferralDirtyMonth.objects.create(structure_id=structure_id, month=month_of(created_at))
    transaction.on_commit(_queue_refresh)


def _queue_refresh() -> None:
    from .tasks import indicators_rollup_now

    indicators_rollup_now()


COUNTS = {
    "referred": Count("*"),
    "reached": Count("first_contact_minutes"),
    "accompanied": Count("status", filter=Q(status__in=ACCOMPANIED)),
}


def refresh() -> int:
    """Rebuilds every dirty month; returns how many (structure, month) pairs were rebuilt."""
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                ReferralDirtyMonth.objects.order_by("pk").values_list("pk", "structure_id", "month")[:BATCH]
            )
            if not rows:
                return total
            pairs = {(structure, month) for _, structure, month in rows}
            for structure_id, month in sorted(pairs):
                _rebuild_month(structure_id, month)
            # By id: a mark committed late with a lower id than the last one read stays for the next run.
            ReferralDirtyMonth.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
            total += len(pairs)


def rebuild(structure=None) -> int:
    """Rebuilds every month that has referrals (after a bulk load, or to check the roll-ups);
    the dirty marks read before it started are cleared, by id, like in refresh()."""
    referrals = Referral.objects.all() if structure is None else Referral.objects.filter(structure=structure)
    with transaction.atomic():
        marks = (
            ReferralDirtyMonth.objects.all()
            if structure is None
            else ReferralDirtyMonth.objects.filter(structure=structure)
        )
        marked = list(marks.values_list("pk", flat=True))
        months = set()
        for structure_id, created_at in referrals.values_list("structure_id", "created_at").iterator(
            chunk_size=20_000
        ):
            months.add((structure_id, month_of(created_at)))
        rolled = (
            ReferralMonth.objects.all()
            if structure is None
            else ReferralMonth.objects.filter(structure=structure)
        )
        months |= set(rolled.values_list("structure_id", "month").distinct())
        for structure_id, month in sorted(months):
            _rebuild_month(structure_id, month)
        ReferralDirtyMonth.objects.filter(pk__in=marked).delete()
    return len(months)


def _rebuild_month(structure_id: int, month: date) -> None:
    since, until = month_bounds(month)
    referrals = Referral.objects.filter(
        structure_id=structure_id, created_at__gte=since, created_at__lt=until
    )
    ReferralMonth.objects.filter(structure_id=structure_id, month=month).delete()
    ReferralDelayMonth.objects.filter(structure_id=structure_id, month=month).delete()
    ReferralMonth.objects.bulk_create(
        ReferralMonth(structure_id=structure_id, month=month, **row)
        for row in referrals.values("referrer_id", "source").annotate(**COUNTS).order_by()
    )
    ReferralDelayMonth.objects.bulk_create(
        ReferralDelayMonth(structure_id=structure_id, month=month, hour=row["hour"], n=row["n"])
        for row in delay_histogram(referrals)
    )


def delay_histogram(referrals):
    """Reached referrals per whole hour of delay to first contact."""
    hour = Cast(F("first_contact_minutes") / 60, IntegerField())
    return (
        referrals.filter(first_contact_minutes__isnull=False)
        .annotate(hour=hour)
        .values("hour")
        .annotate(n=Count("*"))
        .order_by()
    )

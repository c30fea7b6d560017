"""Monthly roll-ups of the indicators: same figures as the direct computation, kept in step."""

import random
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jalon import indicators
from jalon.referrals import actions, rollup
from jalon.referrals.models import (
    Orientation,
    OrientationStatus,
    OrientationTarget,
    Referral,
    ReferralDirtyMonth,
    ReferralMonth,
    ReferralSource,
    ReferralStatus,
    ReferrerKind,
)

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 3, 10, 0))
TODAY = timezone.localdate(NOW)


def _figures(result):
    rows = lambda items: [(r.label, r.referred, r.reached, r.accompanied) for r in items]  # noqa: E731
    return (
        rows([result.total]),
        rows(result.by_referrer),
        rows(result.by_kind),
        result.median_first_contact,
    )


def _random_referrals(structure, rng, count):
    referrers = [
        actions.create_referrer(structure=structure, actor=None, data={"name": f"Relais {i}", "kind": kind})
        for i, kind in enumerate((ReferrerKind.SHOP, ReferrerKind.CAFE, ReferrerKind.SHOP))
    ]
    tz = timezone.get_current_timezone()
    rows = []
    for _ in range(count):
        if rng.random() < 0.2:
            # Exactly on a local month boundary, or one second before it.
            day = date(2025 + rng.randrange(2), rng.randrange(1, 13), 1)
            created = datetime.combine(day, datetime.min.time(), tzinfo=tz) - timedelta(
                seconds=rng.randrange(2)
            )
        else:
            created = NOW - timedelta(minutes=rng.randrange(0, 600 * 24 * 60))
        status = rng.choice(ReferralStatus.values)
        # Few distinct delays: ties, and several ranks in one hour of the histogram.
        minutes = None if status == ReferralStatus.NEW else rng.choice([0, 5, 59, 60, 61, 125, 600, 3000])
        referrer = rng.choice(referrers + [None])
        rows.append(
            Referral(
                structure=structure,
                referrer=referrer,
                source=ReferralSource.LINK
                if referrer
                else rng.choice([ReferralSource.SELF, ReferralSource.LINK]),
                first_name="Test",
                contact_consent_at=created,
                consent_text_version="test",
                status=status,
                created_at=created,
                first_contact_at=None if minutes is None else created + timedelta(minutes=minutes),
                first_contact_minutes=minutes,
                status_changed_at=created,
            )
        )
    Referral.objects.bulk_create(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_give_the_direct_figures_for_any_period(personas, seed):
    rng = random.Random(seed)
    a = personas.structure_a
    _random_referrals(a, rng, 400)
    _random_referrals(personas.structure_b, rng, 50)  # never counted for A
    assert rollup.rebuild() > 0
    rolled_periods = 0
    periods = [(date(2025, 6, 1), date(2026, 8, 31)), (TODAY - timedelta(days=364), TODAY)]
    for _ in range(40):
        start = TODAY - timedelta(days=rng.randrange(0, 620))
        periods.append((start, start + timedelta(days=rng.randrange(0, 500))))
    for start, end in periods:
        if indicators._rolled_months(a, start, end, TODAY):
            rolled_periods += 1
        rolled = indicators.compute(a, start, end, now=NOW)
        direct = indicators.compute(a, start, end, now=NOW, rolled=False)
        assert _figures(rolled) == _figures(direct), (start, end)
    assert rolled_periods > 20  # the comparison exercised the roll-ups, not the direct path alone


def test_a_status_change_is_counted_at_once_then_rolled_up(personas):
    a = personas.structure_a
    referral = actions.create_referral(
        structure=a,
        referrer=None,
        source=ReferralSource.SELF,
        data={"first_name": "Inès", "phone": "06 12 34 56 78", "contact_consent": True},
    )
    old = timezone.now() - timedelta(days=200)
    Referral.objects.filter(pk=referral.pk).update(created_at=old)
    rollup.rebuild()
    assert not ReferralDirtyMonth.objects.exists()
    start, end = timezone.localdate() - timedelta(days=364), timezone.localdate()
    assert indicators._rolled_months(a, start, end, timezone.localdate())
    assert indicators.compute(a, start, end).total.reached == 0

    referral.refresh_from_db()
    actions.change_referral_status(
        referral=referral, structure=a, actor=None, status=ReferralStatus.CONTACTED
    )
    assert ReferralDirtyMonth.objects.filter(structure=a, month=rollup.month_of(old)).exists()
    # Before the job runs, the dirty month is read directly: the page is already right.
    assert indicators.compute(a, start, end).total.reached == 1

    assert rollup.refresh() == 1
    assert not ReferralDirtyMonth.objects.exists()
    assert ReferralMonth.objects.get(structure=a, month=rollup.month_of(old)).reached == 1
    result = indicators.compute(a, start, end)
    assert result.total.reached == 1
    assert _figures(result) == _figures(indicators.compute(a, start, end, rolled=False))


def test_a_new_referral_marks_its_month(personas):
    a = personas.structure_a
    actions.create_referral(
        structure=a,
        referrer=None,
        source=ReferralSource.SELF,
        data={"first_name": "Inès", "phone": "06 12 34 56 78", "contact_consent": True},
    )
    assert list(ReferralDirtyMonth.objects.values_list("structure_id", "month")) == [
        (a.pk, timezone.localdate().replace(day=1))
    ]


def test_a_year_costs_the_same_queries_at_n_and_10n(personas):
    a = personas.structure_a
    counts = []
    for n in (40, 400):
        _random_referrals(a, random.Random(n), n)
        rollup.rebuild()
        with CaptureQueriesContext(connection) as queries:
            indicators.compute(a, TODAY - timedelta(days=364), TODAY, now=NOW)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("seed", [1, 2])
def test_answer_median_is_exact_to_the_microsecond(personas, person_a, seed):
    rng = random.Random(seed)
    a = personas.structure_a
    rows = []
    for i in range(rng.randrange(30, 60)):
        created = NOW - timedelta(days=rng.randrange(1, 300), seconds=rng.randrange(86_400))
        # Whole seconds are stored without a fraction: both shapes must order alike.
        created = created.replace(microsecond=0 if i % 3 == 0 else rng.randrange(1, 1_000_000))
        # Distinct delays within three seconds of each other: any error in the sub-second part
        # of the SQL ordering picks another middle row.
        delay = timedelta(hours=5, microseconds=rng.randrange(3_000_000))
        answered = None if i % 5 == 0 else created + delay
        rows.append(
            Orientation(
                person=person_a,
                from_structure=a,
                target_kind=OrientationTarget.PROGRAMME,
                target_label="Atelier",
                motive="Test",
                share_contact=False,
                status=OrientationStatus.ACCEPTED if answered else OrientationStatus.PROPOSED,
                created_at=created,
                answered_at=answered,
                status_changed_at=created,
            )
        )
    Orientation.objects.bulk_create(rows)
    delays = sorted(o.answered_at - o.created_at for o in rows if o.answered_at)
    middle = (len(delays) - 1) // 2
    expected = delays[middle] if len(delays) % 2 else (delays[middle] + delays[middle + 1]) / 2
    queryset = Orientation.objects.filter(from_structure=a)
    assert indicators.median_delay(queryset, "created_at", "answered_at", len(delays)) == expected


@pytest.mark.parametrize("seed", [4, 5])
def test_edge_months_rolled_minus_their_outer_days_give_the_direct_figures(personas, seed):
    """A period starting early in a month (or ending late in one, in the past) reads that whole
    month from the roll-ups and subtracts the few days outside the period, read directly."""
    rng = random.Random(seed)
    a = personas.structure_a
    _random_referrals(a, rng, 400)
    rollup.rebuild()
    subtracted = 0
    for _ in range(30):
        start = date(2025, rng.randrange(3, 10), rng.randrange(2, 13))
        end = date(2026, rng.randrange(1, 10), rng.randrange(18, 28))
        plan = indicators._plan(a, start, end, TODAY, NOW)
        assert plan is not None and plan.months[0] == start.replace(day=1)
        assert plan.removed[0][1] == indicators.bounds(start, end)[0]
        subtracted += len(plan.removed)
        rolled = indicators.compute(a, start, end, now=NOW)
        assert _figures(rolled) == _figures(indicators.compute(a, start, end, now=NOW, rolled=False))
    assert subtracted == 60  # both edges of every period


def test_a_referrer_only_in_the_subtracted_days_is_not_listed(personas):
    a = personas.structure_a
    _random_referrals(a, random.Random(6), 100)
    lone = actions.create_referrer(structure=a, actor=None, data={"name": "Seul", "kind": ReferrerKind.CAFE})
    created = timezone.make_aware(datetime(2026, 3, 2, 12, 0))
    Referral.objects.create(
        structure=a,
        referrer=lone,
        source=ReferralSource.LINK,
        first_name="Test",
        contact_consent_at=created,
        consent_text_version="test",
        status=ReferralStatus.WELCOMED,
        created_at=created,
        first_contact_at=created,
        first_contact_minutes=0,
        status_changed_at=created,
    )
    rollup.rebuild()
    start, end = date(2026, 3, 5), date(2026, 9, 30)
    assert indicators._plan(a, start, end, TODAY, NOW).removed
    result = indicators.compute(a, start, end, now=NOW)
    assert "Seul (Bar, café, restaurant)" not in [row.label for row in result.by_referrer]
    assert _figures(result) == _figures(indicators.compute(a, start, end, now=NOW, rolled=False))


def test_the_default_period_reads_the_referrals_directly(personas):
    # 90 days read little: the roll-ups would only add queries to the page everyone opens.
    assert indicators._plan(personas.structure_a, TODAY - timedelta(days=89), TODAY, TODAY, NOW) is None

"""Indicators: the rules on hand-built data, the page, the CSV, the API, scoping and query counts."""

import csv
import html
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jalon import indicators
from jalon.agenda import actions as agenda
from jalon.agenda.models import Outcome, Participant
from jalon.referrals import actions
from jalon.referrals.models import (
    Orientation,
    OrientationStatus,
    OrientationTarget,
    Referral,
    ReferralSource,
    ReferralStatus,
    Referrer,
    ReferrerKind,
)
from jalon.users.models import ApiToken
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _referrer(structure, name, kind=ReferrerKind.SHOP):
    return actions.create_referrer(structure=structure, actor=None, data={"name": name, "kind": kind})


def _referral(structure, referrer=None, *, days_ago=10, contact_after_hours=None, status=None):
    referral = actions.create_referral(
        structure=structure,
        referrer=referrer,
        source=ReferralSource.LINK if referrer else ReferralSource.SELF,
        data={"first_name": "Inès", "phone": "06 12 34 56 78", "contact_consent": True},
    )
    created = timezone.now() - timedelta(days=days_ago)
    fields = {"created_at": created}
    if contact_after_hours is not None:
        fields["first_contact_at"] = created + timedelta(hours=contact_after_hours)
        fields["first_contact_minutes"] = contact_after_hours * 60
        fields["status"] = status or ReferralStatus.CONTACTED
    Referral.objects.filter(pk=referral.pk).update(**fields)
    return referral


def test_counts_shares_and_median_delay(personas):
    a = personas.structure_a
    bakery, bar = _referrer(a, "Boulangerie"), _referrer(a, "Bar du port", ReferrerKind.CAFE)
    _referral(a, bakery, contact_after_hours=2)
    _referral(a, bakery, contact_after_hours=10, status=ReferralStatus.WELCOMED)
    _referral(a, bakery)  # not reached yet
    _referral(a, bar, contact_after_hours=30, status=ReferralStatus.ORIENTED)
    _referral(a, None, contact_after_hours=4)  # self-referral
    _referral(a, bakery, days_ago=200, contact_after_hours=1)  # outside the period
    _referral(personas.structure_b, None, contact_after_hours=1)  # another structure
    result = indicators.compute(a, TODAY - timedelta(days=89), TODAY)
    assert (result.total.referred, result.total.reached, result.total.accompanied) == (5, 4, 2)
    assert result.total.share_reached == 80.0 and result.total.share_accompanied == 40.0
    # Delays 2, 4, 10, 30 hours: the median of an even count is the mean of the middle two.
    assert result.median_first_contact == timedelta(hours=7)
    rows = {row.label: (row.referred, row.reached, row.accompanied) for row in result.by_referrer}
    assert rows == {"Boulangerie (Commerce)": (3, 2, 1), "Bar du port (Bar, café, restaurant)": (1, 1, 1)}
    kinds = {row.label: row.referred for row in result.by_kind}
    assert kinds["Commerce"] == 3 and kinds["Bar, café, restaurant"] == 1
    assert [k for k in kinds if k.startswith("Sans relais")] == [
        "Sans relais : Demande de la personne (affiche, « être rappelé·e »)"
    ]


def test_median_with_an_odd_count_and_with_none(personas):
    a = personas.structure_a
    assert indicators.compute(a, TODAY - timedelta(days=89), TODAY).median_first_contact is None
    for hours in (5, 1, 9):
        _referral(a, None, contact_after_hours=hours)
    assert indicators.compute(a, TODAY - timedelta(days=89), TODAY).median_first_contact == timedelta(hours=5)


def test_period_boundaries_are_whole_local_days(personas):
    a = personas.structure_a
    referral = _referral(a, None)
    day = TODAY - timedelta(days=3)
    start_of_day = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    Referral.objects.filter(pk=referral.pk).update(created_at=start_of_day)
    assert indicators.compute(a, day, day).total.referred == 1
    assert indicators.compute(a, day - timedelta(days=1), day - timedelta(days=1)).total.referred == 0
    Referral.objects.filter(pk=referral.pk).update(created_at=start_of_day - timedelta(seconds=1))
    assert indicators.compute(a, day, day).total.referred == 0


def test_active_dormant_and_deactivated_referrers(personas):
    a = personas.structure_a
    fresh, quiet, off = _referrer(a, "Actif"), _referrer(a, "Silencieux"), _referrer(a, "Retiré")
    Referrer.objects.filter(pk=fresh.pk).update(last_referral_at=timezone.now() - timedelta(days=89))
    Referrer.objects.filter(pk=quiet.pk).update(
        last_referral_at=timezone.now() - timedelta(days=91), created_at=timezone.now() - timedelta(days=400)
    )
    Referrer.objects.filter(pk=off.pk).update(is_active=False)
    result = indicators.compute(a, TODAY - timedelta(days=89), TODAY)
    assert (result.referrers_active, result.referrers_dormant, result.referrers_inactive) == (1, 1, 1)
    assert result.referrers_dormant == Referrer.objects.dormant().filter(structure=a).count()


def test_orientations_both_sides_and_answer_delay(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    sent = []
    for _ in range(3):
        sent.append(
            actions.propose_orientation(
                person=person_a,
                structure=a,
                actor=None,
                target_kind=OrientationTarget.STRUCTURE,
                target_structure=b,
                motive="Atelier",
                share_contact=False,
            )
        )
    now = timezone.now()
    Orientation.objects.filter(pk=sent[0].pk).update(
        status=OrientationStatus.ACCEPTED, answered_at=sent[0].created_at + timedelta(hours=6)
    )
    Orientation.objects.filter(pk=sent[1].pk).update(
        status=OrientationStatus.REFUSED, answered_at=sent[1].created_at + timedelta(hours=30)
    )
    result = indicators.compute(a, TODAY - timedelta(days=89), TODAY, now=now)
    assert result.orientations_sent["acceptee"] == 1 and result.orientations_sent["proposee"] == 1
    assert sum(result.orientations_received.values()) == 0
    assert result.median_answer_sent == timedelta(hours=18)
    received = indicators.compute(b, TODAY - timedelta(days=89), TODAY)
    assert received.orientations_received["refusee"] == 1 and sum(received.orientations_sent.values()) == 0


def test_no_show_rate(personas):
    a = personas.structure_a
    start = timezone.now() - timedelta(days=2)
    outcomes = [Outcome.SEEN, Outcome.SEEN, Outcome.EXCUSED, Outcome.ABSENT, Outcome.PENDING]
    appointment = agenda.schedule(
        structure=a,
        actor=None,
        title="Info coll",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        kind="collectif",
        capacity=10,
        now=start - timedelta(days=1),  # fixed the day before
    )
    for outcome in outcomes:
        participant = agenda.add_participant(
            appointment=appointment, structure=a, actor=None, person=PersonFactory(structure=a), invite=False
        )
        Participant.objects.filter(pk=participant.pk).update(outcome=outcome)
    cancelled = agenda.schedule(
        structure=a,
        actor=None,
        title="Annulé",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        kind="collectif",
        capacity=10,
        now=start - timedelta(days=1),  # fixed the day before
    )
    gone = agenda.add_participant(
        appointment=cancelled, structure=a, actor=None, person=PersonFactory(structure=a), invite=False
    )
    Participant.objects.filter(pk=gone.pk).update(outcome=Outcome.ABSENT)
    agenda.cancel_appointment(appointment=cancelled, structure=a, actor=None, notify=False)
    result = indicators.compute(a, TODAY - timedelta(days=89), TODAY)
    assert result.attendance == {"vu": 2, "excuse": 1, "absent": 1, "a_venir": 1}
    assert result.no_show_rate == 25.0


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_page_csv_and_api(personas):
    a = personas.structure_a
    bakery = _referrer(a, "Boulangerie")
    _referral(a, bakery, contact_after_hours=3)
    _referral(a, bakery)
    _referral(personas.structure_b, _referrer(personas.structure_b, "Secret de B"))
    client = personas.client_for(personas.read_only_a)
    page = _text(client.get(reverse("indicators")))
    assert "Boulangerie (Commerce)" in page and "Secret de B" not in page
    assert "2</strong> demandes reçues" in page and "3 h" in page
    bad = client.get(reverse("indicators") + "?du=2026-05-10&au=2026-05-01")
    assert "La date de fin doit suivre la date de début." in _text(bad) and "demandes reçues" not in _text(
        bad
    )
    export = client.get(reverse("indicators_csv"))
    assert export["Content-Type"].startswith("text/csv")
    content = export.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["indicateur", "dimension", "valeur", "du", "au"]
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert values[("demandes", "total")] == "2" and values[("part_jointes_pct", "total")] == "50,0"
    assert values[("demandes", "relais:Boulangerie (Commerce)")] == "2"
    assert not any("Secret de B" in r[1] for r in rows)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=personas.case_worker_a.user, name='t')[1]}")
    body = api.get("/api/v1/indicators/referrals").json()
    api_values = {(v["indicateur"], v["dimension"]): v["valeur"] for v in body["valeurs"]}
    assert api_values[("demandes", "total")] == 2 and api_values[("jointes", "total")] == 1
    assert api.get("/api/v1/indicators/referrals?du=2026-05-10&au=2026-05-01").status_code == 422
    assert Client().get("/api/v1/indicators/referrals").status_code == 401
    assert Client().get(reverse("indicators")).status_code == 302


def test_same_number_of_queries_at_n_and_10n(personas, person_a):
    a = personas.structure_a
    client = personas.client_for(personas.case_worker_a)
    client.get(reverse("home"))
    counts = {"page": [], "csv": [], "api": []}
    for n in (3, 30):
        referrer = _referrer(a, f"Relais {n}")
        for i in range(n):
            _referral(a, referrer if i % 2 else None, contact_after_hours=i % 5 or None)
        for _ in range(n // 3):
            actions.propose_orientation(
                person=person_a,
                structure=a,
                actor=None,
                target_kind=OrientationTarget.STRUCTURE,
                target_structure=personas.structure_b,
                motive="Atelier",
                share_contact=False,
            )
        for label, url in (
            ("page", reverse("indicators")),
            ("csv", reverse("indicators_csv")),
            ("api", "/api/v1/indicators/referrals"),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[label].append(len(queries))
    # PostgreSQL groups referrers and sources in one query, SQLite in two (see indicators.compute).
    n = 11 if connection.vendor == "postgresql" else 12
    # The page reads the structure switcher's memberships with the current one (docs/decisions/0007).
    assert counts == {"page": [n - 1, n - 1], "csv": [n, n], "api": [n, n]}, counts


def test_duration_wording():
    from jalon.www.indicators.views import duration_fr

    assert duration_fr(None) == "—"
    assert duration_fr(timedelta(minutes=20)) == "moins d'une heure"
    assert duration_fr(timedelta(hours=7, minutes=40)) == "8 h"
    assert duration_fr(timedelta(days=3)) == "3 jours"
    assert duration_fr(timedelta(hours=60)) == "2,5 jours"

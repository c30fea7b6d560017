"""A co-run programme's dashboard, export and API never show a health departure count under 5."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from jalon.programmes import actions, rollup
from jalon.programmes.models import LeftReason
from tests.api.test_auth import token_client
from tests.programmes.test_pages import _world

pytestmark = pytest.mark.django_db


def _departures(personas, co_run: bool):
    programme, workshops, _, session, enrolments = _world(personas, people=8, days=-20)
    if co_run:
        programme.owners.add(personas.structure_b)
    reasons = [LeftReason.HEALTH] * 2 + [LeftReason.EMPLOYMENT] * 5 + [LeftReason.FAMILY]
    for enrolment, reason in zip(enrolments, reasons, strict=True):
        actions.finish(
            enrolment=enrolment,
            structure=personas.structure_a,
            actor=None,
            ended_on=session.starts_on + timedelta(days=3),
            reason=reason,
        )
    rollup.refresh()
    return programme


def test_co_run_dashboard_export_and_api_hide_the_small_health_count(personas):
    programme = _departures(personas, co_run=True)
    for membership in (personas.coordinator_a, personas.admin_b):
        page = personas.client_for(membership).get(reverse("programme_dashboard", args=[programme.pk]))
        text = page.content.decode()
        assert page.status_code == 200
        assert "santé : &lt; 5" in text and "santé : 2" not in text
        # The smallest other reason is masked, or 8 − 5 − 1 would give the 2 back.
        assert "raisons familiales : masqué" in text
        csv_text = (
            personas.client_for(membership)
            .get(reverse("programme_dashboard", args=[programme.pk]) + "?format=csv")
            .content.decode("utf-8-sig")
        )
        rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
        reasons = next(row for row in rows if row and row[0] == "Ateliers")[9]
        assert "santé : < 5" in reasons and "santé : 2" not in reasons
        funnel = token_client(membership.user).get(f"/api/v1/programmes/{programme.pk}/funnel").json()
        stage = funnel["stages"][0]
        assert stage["left_reasons"] == {"sante": "< 5", "emploi": 5, "famille": "masqué"}
        assert stage["left"] == 8


def test_the_only_owner_sees_exact_counts(personas):
    programme = _departures(personas, co_run=False)
    page = personas.client_for(personas.coordinator_a).get(
        reverse("programme_dashboard", args=[programme.pk])
    )
    assert "santé : 2" in page.content.decode()
    funnel = token_client(personas.coordinator_a.user).get(f"/api/v1/programmes/{programme.pk}/funnel").json()
    assert funnel["stages"][0]["left_reasons"] == {"sante": 2, "emploi": 5, "famille": 1}
    # Another structure still gets 404.
    assert (
        personas.client_for(personas.case_worker_b)
        .get(reverse("programme_dashboard", args=[programme.pk]))
        .status_code
        == 404
    )

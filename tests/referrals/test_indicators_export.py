"""The indicators CSV opens right in French Excel and cannot carry a formula."""

import csv
import io

import pytest
from django.urls import reverse

from jalon import exports
from tests.referrals.test_indicators import _referral, _referrer

pytestmark = pytest.mark.django_db

MALICIOUS = '=HYPERLINK("http://pirate.example";"Cliquez")'


def test_indicators_csv_is_french_and_neutralised(personas):
    a = personas.structure_a
    shop = _referrer(a, MALICIOUS)
    _referral(a, shop, contact_after_hours=12)
    _referral(a, shop, contact_after_hours=13)
    _referral(a, shop)
    client = personas.client_for(personas.case_worker_a)
    response = client.get(reverse("indicators_csv") + "?du=2026-01-01&au=2026-12-31")
    assert response.status_code == 200
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["indicateur", "dimension", "valeur", "du", "au"]
    assert all(row[3:] == ["01/01/2026", "31/12/2026"] for row in rows[1:])
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert values[("delai_median_premier_contact_heures", "total")] == "12,5"
    assert values[("part_jointes_pct", "total")] == "66,7"
    assert not any(cell.startswith(exports.FORMULA_STARTS) for row in rows for cell in row)
    assert any(MALICIOUS in row[1] for row in rows)


def test_other_structure_indicators_csv_leaks_nothing(personas):
    _referral(personas.structure_a, _referrer(personas.structure_a, MALICIOUS))
    response = personas.client_for(personas.case_worker_b).get(reverse("indicators_csv"))
    assert response.status_code == 200
    assert MALICIOUS not in response.content.decode("utf-8")

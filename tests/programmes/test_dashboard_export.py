"""The programme dashboard's CSV and XLSX open right in French Excel and cannot carry a formula."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jalon import exports
from jalon.programmes import actions, rollup
from tests.programmes.test_pages import _world

pytestmark = pytest.mark.django_db

MALICIOUS = '=HYPERLINK("http://pirate.example";"Cliquez")'


@pytest.fixture
def dashboard(personas):
    programme, workshops, _, session, enrolments = _world(personas, people=2, days=-20)
    workshops.name = MALICIOUS
    workshops.save(update_fields=["name"])
    # 12 and 13 days in the stage (both ends counted): a mean of 12.5 days.
    for enrolment, spent in zip(enrolments, (11, 12), strict=True):
        actions.finish(
            enrolment=enrolment,
            structure=personas.structure_a,
            actor=None,
            ended_on=session.starts_on + timedelta(days=spent),
        )
    rollup.refresh()
    return reverse("programme_dashboard", args=[programme.pk])


def test_dashboard_csv_is_french_and_neutralised(personas, dashboard):
    client = personas.client_for(personas.coordinator_a)
    response = client.get(dashboard + "?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    stage = next(row for row in rows if MALICIOUS in "".join(row))
    assert stage[0] == "'" + MALICIOUS
    assert stage[7] == "12,5"
    assert not any(cell.startswith(exports.FORMULA_STARTS) for row in rows for cell in row)


def test_dashboard_xlsx_keeps_numbers_and_neutralises_text(personas, dashboard):
    client = personas.client_for(personas.coordinator_a)
    response = client.get(dashboard + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    stage = next(row for row in sheet.iter_rows() if MALICIOUS in str(row[0].value))
    assert stage[0].value == "'" + MALICIOUS and stage[0].data_type == "s"
    assert stage[7].value == 12.5 and stage[1].value == 2
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_dashboard_export_of_another_structure_is_404(personas, dashboard):
    client = personas.client_for(personas.case_worker_b)
    assert client.get(dashboard + "?format=csv").status_code == 404
    assert client.get(dashboard + "?format=xlsx").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_dashboard_export_is_written_in_the_journal(personas, dashboard, fmt):
    from jalon.audit.models import Action, AuditEvent

    client = personas.client_for(personas.coordinator_a)
    assert client.get(dashboard + f"?format={fmt}").status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == personas.coordinator_a.user and event.structure == personas.structure_a
    assert event.object_type == "programme" and fmt in event.detail
    # Showing the dashboard is not an export.
    client.get(dashboard)
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1

"""The one export helper: every CSV and XLSX opens right in French Excel and runs no formula."""

import csv
import io
import math
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from jalon import exports

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _csv_rows(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _xlsx_rows(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content))
    return [[cell for cell in row] for row in book.active.iter_rows()]


def test_csv_cells_follow_french_excel():
    assert exports.csv_cell(12.5) == "12,5"
    assert exports.csv_cell(Decimal("-0.25")) == "-0,25"
    assert exports.csv_cell(1e-7) == "0,0000001"  # never "1e-07"
    assert exports.csv_cell(-3) == "-3"  # a negative number is not text
    assert exports.csv_cell(date(2026, 2, 1)) == "01/02/2026"
    # 23:30 UTC on 31 January is 00:30 on 1 February in Paris.
    assert exports.csv_cell(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)) == "01/02/2026 00:30"
    assert exports.csv_cell(None) == ""
    assert exports.csv_cell(True) == "oui" and exports.csv_cell(False) == "non"
    assert exports.csv_cell(gettext_lazy("Emploi durable")) == "Emploi durable"
    assert exports.csv_cell(math.nan) == ""


def test_formulas_are_neutralised():
    for text in ['=HYPERLINK("http://x";"y")', "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"]:
        assert exports.csv_cell(text) == "'" + text
    assert exports.csv_cell("Atelier = découverte") == "Atelier = découverte"
    assert exports.csv_cell("'déjà cité") == "'déjà cité"


def test_csv_response_is_semicolon_bom_utf8():
    response = exports.csv_response([["Étape", "Durée"], ["=cmd|' /C calc'!A0", 12.5]], filename="x")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.decode("utf-8-sig").splitlines()[0] == "Étape;Durée"
    assert _csv_rows(response)[1] == ["'=cmd|' /C calc'!A0", "12,5"]


def test_xlsx_keeps_numbers_and_dates_and_neutralises_text():
    when = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    response = exports.xlsx_response(
        [["=1+1", -3, 12.5, Decimal("2.5"), date(2026, 2, 1), when, None, "ok\x01"]],
        filename="x",
        title="Feuille",
    )
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    text, negative, decimal, exact, day, moment, empty, control = _xlsx_rows(response)[0]
    assert text.value == "'=1+1" and text.data_type == "s"
    assert negative.value == -3 and decimal.value == 12.5 and exact.value == 2.5
    assert day.value == datetime(2026, 2, 1) and day.number_format == "DD/MM/YYYY"
    assert moment.value == datetime(2026, 2, 1, 0, 30) and moment.number_format == "DD/MM/YYYY HH:MM"
    assert empty.value is None
    assert control.value == "ok"  # a control character would make the workbook unreadable


@given(st.text())
def test_no_text_cell_can_start_a_formula(text):
    cell = exports.csv_cell(text)
    assert not cell.startswith(DANGEROUS)
    # Only the one quote is added, and only when needed: the text is otherwise kept.
    assert cell == text or cell == "'" + text


@given(st.lists(st.lists(st.one_of(st.text(), st.integers(), st.none()), max_size=5), max_size=5))
def test_csv_round_trip(rows):
    response = exports.csv_response(rows, filename="x")
    assert _csv_rows(response) == [[exports.csv_cell(v) for v in row] for row in rows]


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_keep_their_value_with_a_comma(value):
    cell = exports.csv_cell(value)
    assert "." not in cell and "e" not in cell.lower()
    assert Decimal(cell.replace(",", ".")) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_keep_their_value_with_a_comma(value):
    cell = exports.csv_cell(value)
    assert "." not in cell and "e" not in cell.lower()
    assert float(cell.replace(",", ".")) == value


@given(st.text(max_size=30))
def test_xlsx_text_never_becomes_a_formula(text):
    (cell,) = _xlsx_rows(exports.xlsx_response([[text]], filename="x", title="x"))[0]
    value = cell.value or ""
    assert cell.data_type != "f" and not value.startswith(DANGEROUS)

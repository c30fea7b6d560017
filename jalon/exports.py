"""The one way to write CSV and XLSX exports.

Our users open exports in French Excel or LibreOffice: a CSV needs `;` between cells, a UTF-8
byte-order mark (or accents come out garbled), decimal commas and dd/mm/yyyy dates. Exported text
comes from people we do not control (a referrer's name, a stage title): a cell that starts with
`=`, `+`, `-`, `@`, tab or CR would run as a formula, so it gets a leading quote (OWASP "CSV
injection"). Numbers stay numbers: a negative figure is not text.
"""

import csv
import io
import math
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, PARIS) if timezone.is_aware(moment) else moment


def _decimal_text(value: Decimal) -> str:
    # "f" never writes an exponent (Excel would read "1E-07" as text in a French sheet).
    return format(value, "f").replace(".", ",")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if not math.isfinite(value) else _decimal_text(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return "" if not value.is_finite() else _decimal_text(value)
    if isinstance(value, datetime):
        return f"{_local(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return neutralise(str(value))


def write_csv(rows: Iterable[Iterable], stream) -> None:
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def csv_response(rows: Iterable[Iterable], *, filename: str) -> HttpResponse:
    """`filename` without extension; it must not hold personal data (it shows in logs)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    write_csv(rows, response)
    return response


def xlsx_cell(value):
    """The value openpyxl writes, and the number format to show it with (or None)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("oui" if value else "non"), None
    if isinstance(value, int | Decimal):
        return value, None
    if isinstance(value, float):
        return (value if math.isfinite(value) else None), None
    if isinstance(value, datetime):
        # Excel has no time zones: write the Paris wall-clock time.
        return _local(value).replace(tzinfo=None), "DD/MM/YYYY HH:MM"
    if isinstance(value, date):
        return value, "DD/MM/YYYY"
    # Control characters make the workbook unreadable; openpyxl would refuse them.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value))), None


def xlsx_response(rows: Iterable[Iterable], *, filename: str, title: str) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            written, number_format = xlsx_cell(value)
            if written is None:
                continue
            cell = sheet.cell(row=row_number, column=column)
            cell.value = written
            if isinstance(written, str):
                cell.data_type = "s"  # a string is never a formula, whatever it starts with
            if number_format:
                cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response

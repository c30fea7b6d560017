"""The official data·inclusion spreadsheet template (XLSX), read and written.

Producers fill data·inclusion's template and check it with the national "valideur". Its shape:
sheets "Structures", "Services" and "Services - Thématiques" (one row per service and theme,
joined on the service id), then one sheet per vocabulary; row 1 holds the field names, row 2 their
descriptions; a first column `__ignore__` marks the rows to skip (the description row, examples).

Reading turns the workbook into the same (line, item) rows as the JSON and CSV readers, so the
importer validates them in one way. What real spreadsheets hold is repaired here, where the
reason is known: codes typed as numbers lost their leading zeros, dates are real dates, lists are
comma-separated text, formatted but empty rows run to the bottom of the sheet.

Choices:
- an unknown column is ignored and named in the report as a notice, like the national valideur
  (which ignores it too): the template grows columns the models do not know (lien_url_gen…);
- a column present twice is an error: which of the two values is meant cannot be guessed;
- vocabulary sheets are not read: the official enums are the reference (the template's own
  vocabulary sheets hold truncated values);
- the `source` column is not in the template; when absent, the caller gives the source.
"""

import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime

from data_inclusion.schema import v1
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from jalon.exports import FORMULA_STARTS, xlsx_cell

STRUCTURES = "Structures"
SERVICES = "Services"
THEMES = "Services - Thématiques"
IGNORE = "__ignore__"
# Text fields whose digits a spreadsheet turns into numbers, and their width.
CODE_WIDTHS = {"siret": 14, "code_postal": 5, "code_insee": 5}
LIST_FIELDS = {
    "thematiques",
    "publics",
    "modes_accueil",
    "zone_eligibilite",
    "modes_mobilisation",
    "mobilisable_par",
    "reseaux_porteurs",
}
NUMBER_FIELDS = {"longitude", "latitude", "volume_horaire_hebdomadaire", "nombre_semaines"}
DATE_FIELDS = {"date_maj"}
THEME_VALUES = {t.value for t in v1.Thematique}


class SpreadsheetError(ValueError):
    """The file is not a readable workbook of the template (its message is French)."""


@dataclass
class Sheet:
    """Where each field of a sheet is: to report a bad value at its cell."""

    name: str
    columns: dict[str, str] = field(default_factory=dict)  # field -> column letter


@dataclass
class Issue:
    sheet: str
    line: int
    column: str
    message: str
    blocking: bool = True


@dataclass
class Template:
    structures: list[tuple[int, dict]] = field(default_factory=list)
    services: list[tuple[int, dict]] = field(default_factory=list)
    sheets: dict[str, Sheet] = field(default_factory=dict)  # "structure"/"service" -> Sheet
    issues: list[Issue] = field(default_factory=list)


def _integral(value: float) -> bool:
    return isinstance(value, int) or (math.isfinite(value) and value == int(value))


def _number_text(value) -> str:
    return str(int(value)) if _integral(value) else repr(value)


def _zone(value) -> str:
    """A zone code typed as a number: a département (01–95, 971–976) or a commune (5 digits)."""
    if not _integral(value):
        return repr(value)
    number = int(value)
    if number < 100:
        return f"{number:02d}"
    if 971 <= number <= 976:
        return str(number)
    if number < 100_000:
        return f"{number:05d}"
    return str(number)


# Free text is kept as typed (an export must re-import identically); codes and links are trimmed.
FREE_TEXT = {
    "nom",
    "description",
    "adresse",
    "complement_adresse",
    "commune",
    "frais_precisions",
    "publics_precisions",
    "conditions_acces",
    "mobilisation_precisions",
    "horaires_accueil",
    "contact_nom_prenom",
}


def _text(name: str, raw: str) -> str:
    text = raw if name in FREE_TEXT and raw.strip() else raw.strip()
    # Our own export writes a quote before text a spreadsheet would run as a formula.
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def cell_value(name: str, raw):
    """The value the official models expect for field `name`, from what the cell holds (or None)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, datetime):
        return raw.date().isoformat() if name in DATE_FIELDS else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, int | float):
        if name in NUMBER_FIELDS:
            return int(raw) if name == "nombre_semaines" and _integral(raw) else raw
        if name in CODE_WIDTHS and _integral(raw):
            return str(int(raw)).zfill(CODE_WIDTHS[name])
        if name == "telephone" and _integral(raw) and len(str(int(raw))) == 9:
            return "0" + str(int(raw))  # a French number lost its leading 0
        if name == "zone_eligibilite":
            return [_zone(raw)]
        if name in LIST_FIELDS:
            return [_number_text(raw)]
        return _number_text(raw)
    text = _text(name, str(raw))
    if text == "":
        return None
    if name in LIST_FIELDS:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _header(row, sheet: str, issues: list[Issue]) -> dict[int, str]:
    """Column index -> field name; duplicated and unreadable headers reported."""
    names: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, raw in enumerate(row):
        letter = get_column_letter(index + 1)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if not isinstance(raw, str):
            issues.append(
                Issue(sheet, 1, letter, f"en-tête illisible (« {raw} ») : le nom du champ est attendu")
            )
            continue
        name = raw.strip()
        if name in seen:
            issues.append(
                Issue(sheet, 1, letter, f"colonne « {name} » en double (déjà en colonne {seen[name]})")
            )
            continue
        seen[name] = letter
        names[index] = name
    return names


def _rows(worksheet, sheet: str, known: set[str], issues: list[Issue]):
    """(line, {field: raw}) of each data row; headers checked, skipped rows left out."""
    lines = worksheet.iter_rows(values_only=True)
    try:
        first = next(lines)
    except StopIteration:
        return
    names = _header(first, sheet, issues)
    for index, name in names.items():
        if name != IGNORE and name not in known:
            letter = get_column_letter(index + 1)
            issues.append(
                Issue(sheet, 1, letter, f"colonne « {name} » inconnue du modèle : ignorée", blocking=False)
            )
    ignore_at = next((i for i, n in names.items() if n == IGNORE), None)
    for line, row in enumerate(lines, start=2):
        if ignore_at is None:
            if line == 2:
                continue  # the description row of a sheet that lost its `__ignore__` column
        elif ignore_at < len(row) and row[ignore_at]:
            continue  # the description row (flagged in the template) and examples
        values = {
            names[i]: value
            for i, value in enumerate(row)
            if i in names and names[i] != IGNORE and value is not None and value != ""
        }
        if not any(not (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue  # formatted but empty
        yield line, values


def _sheet(book, name: str):
    for title in book.sheetnames:
        if title.strip().casefold() == name.casefold():
            return book[title]
    return None


def read_workbook(content, *, source: str = "") -> Template:
    """Read the template from bytes or a binary file; the rows carry `source` when they have none."""
    stream = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
    try:
        # Read-only streams the sheets: memory stays flat however long they are.
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — a corrupt zip raises anything from zipfile/lxml
        raise SpreadsheetError("Le fichier n'est pas un classeur Excel (.xlsx) lisible.") from exc
    try:
        out = Template()
        found = False
        for kind, title, model in (
            ("structure", STRUCTURES, v1.Structure),
            ("service", SERVICES, v1.Service),
        ):
            worksheet = _sheet(book, title)
            if worksheet is None:
                continue
            found = True
            known = set(model.model_fields)
            issues: list[Issue] = []
            rows = []
            for line, raw in _rows(worksheet, worksheet.title, known, issues):
                item = {}
                for name, value in raw.items():
                    if name in known:
                        converted = cell_value(name, value)
                        if converted is not None:
                            item[name] = converted
                if source and "source" not in item:
                    item["source"] = source
                rows.append((line, item))
            out.sheets[kind] = Sheet(worksheet.title)
            out.issues += issues
            if kind == "structure":
                out.structures = rows
            else:
                out.services = rows
        if not found:
            raise SpreadsheetError(
                f"Le classeur n'a ni feuille « {STRUCTURES} » ni feuille « {SERVICES} » "
                "(modèle data·inclusion attendu)."
            )
        for kind in ("structure", "service"):
            if kind in out.sheets:
                out.sheets[kind].columns = _columns(book, out.sheets[kind].name)
        _join_themes(book, out)
        return out
    finally:
        book.close()


def _columns(book, title: str) -> dict[str, str]:
    first = next(book[title].iter_rows(max_row=1, values_only=True), ())
    columns = {}
    for index, raw in enumerate(first):
        if isinstance(raw, str) and raw.strip() and raw.strip() not in columns:
            columns[raw.strip()] = get_column_letter(index + 1)
    return columns


def _join_themes(book, out: Template) -> None:
    """Add each theme of the "Services - Thématiques" sheet to its service's thematiques."""
    worksheet = _sheet(book, THEMES)
    if worksheet is None:
        return
    by_id = {str(item.get("id", "")): item for _, item in out.services}
    title = worksheet.title
    columns = _columns(book, title)
    service_col = columns.get("service_id", "B")
    theme_name = next((n for n in columns if n.casefold() in {"thématique", "thematique", "thematiques"}), "")
    theme_col = columns.get(theme_name, "C")
    for line, raw in _rows(worksheet, title, {"service_id", theme_name}, out.issues):
        service_id = cell_value("id", raw.get("service_id"))
        themes = cell_value("thematiques", raw.get(theme_name)) or []
        if not service_id:
            out.issues.append(Issue(title, line, service_col, "service_id : champ obligatoire absent"))
            continue
        if service_id not in by_id:
            out.issues.append(
                Issue(title, line, service_col, f"service_id : service absent de la feuille « {SERVICES} »")
            )
            continue
        for theme in themes:
            if theme not in THEME_VALUES:
                out.issues.append(
                    Issue(
                        title, line, theme_col, f"thématique : valeur inconnue du référentiel (« {theme} »)"
                    )
                )
                continue
            current = by_id[service_id].setdefault("thematiques", [])
            if theme not in current:
                current.append(theme)


# --- Writing -----------------------------------------------------------------------------------

# The columns of the template, in its order; `source` added after `id` so an export re-imports as is.
STRUCTURE_COLUMNS = [
    "id",
    "source",
    "date_maj",
    "nom",
    "siret",
    "description",
    "adresse",
    "complement_adresse",
    "commune",
    "code_postal",
    "code_insee",
    "longitude",
    "latitude",
    "telephone",
    "courriel",
    "lien_source",
    "site_web",
    "horaires_accueil",
    "accessibilite_lieu",
    "reseaux_porteurs",
]
SERVICE_COLUMNS = [
    "structure_id",
    "id",
    "source",
    "date_maj",
    "nom",
    "description",
    "lien_source",
    "type",
    "thematiques",
    "frais",
    "frais_precisions",
    "publics",
    "publics_precisions",
    "conditions_acces",
    "commune",
    "code_insee",
    "code_postal",
    "adresse",
    "complement_adresse",
    "longitude",
    "latitude",
    "telephone",
    "courriel",
    "modes_accueil",
    "zone_eligibilite",
    "contact_nom_prenom",
    "modes_mobilisation",
    "lien_mobilisation",
    "mobilisable_par",
    "mobilisation_precisions",
    "volume_horaire_hebdomadaire",
    "nombre_semaines",
    "horaires_accueil",
]
VOCABULARIES = [
    ("Thématiques", v1.Thematique),
    ("Modes daccueil", v1.ModeAccueil),
    ("Réseaux porteurs", v1.ReseauPorteur),
    ("Types de services", v1.TypeService),
    ("Frais", v1.Frais),
    ("Modes de mobilisation", v1.ModeMobilisation),
    ("Personnes mobilisatrices", v1.PersonneMobilisatrice),
    ("Publics", v1.Public),
]


def _description(model, name: str) -> str:
    if name == "source":
        return "Jalon : la source de l'identifiant (à garder pour réimporter le fichier)."
    info = model.model_fields.get(name)
    return (info.description or "").strip() if info is not None else ""


def _put(sheet, row: int, column: int, value) -> None:
    written, number_format = xlsx_cell(value)
    if written is None:
        return
    cell = sheet.cell(row=row, column=column, value=written)
    if isinstance(written, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    if number_format:
        cell.number_format = number_format


def _cell(name: str, value):
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)  # as the template writes lists
    if name in DATE_FIELDS and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _write_sheet(book, title: str, model, columns: list[str], items: list[dict]) -> None:
    sheet = book.create_sheet(title)
    for column, name in enumerate([IGNORE, *columns], start=1):
        sheet.cell(row=1, column=column, value=name).data_type = "s"
    sheet.cell(row=2, column=1, value=True)
    for column, name in enumerate(columns, start=2):
        _put(sheet, 2, column, _description(model, name))
    for row, item in enumerate(items, start=3):
        for column, name in enumerate(columns, start=2):
            _put(sheet, row, column, _cell(name, item.get(name)))


def write_workbook(offer: dict) -> bytes:
    """The template filled with `offer` ({"structures": [...], "services": [...]}, JSON-ready)."""
    book = Workbook()
    book.remove(book.active)
    _write_sheet(book, STRUCTURES, v1.Structure, STRUCTURE_COLUMNS, offer["structures"])
    _write_sheet(book, SERVICES, v1.Service, SERVICE_COLUMNS, offer["services"])
    themes = book.create_sheet(THEMES)
    for column, name in enumerate([IGNORE, "service_id", "thématique"], start=1):
        themes.cell(row=1, column=column, value=name)
    themes.cell(row=2, column=1, value=True)
    themes.cell(
        row=2, column=2, value="L'identifiant du service (les thématiques sont aussi dans « Services »)."
    )
    for title, vocabulary in VOCABULARIES:
        sheet = book.create_sheet(title)
        for column, name in enumerate(("value", "label", "description"), start=1):
            sheet.cell(row=1, column=column, value=name)
        for row, member in enumerate(vocabulary, start=2):
            _put(sheet, row, 1, member.value)
            _put(sheet, row, 2, getattr(member, "label", "") or "")
            _put(sheet, row, 3, getattr(member, "description", "") or "")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

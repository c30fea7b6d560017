"""Import a data·inclusion dump (JSON, CSV or the XLSX template): everything is checked before anything is written.

A service may carry a "jalon" object with what data·inclusion has no field for — its nature
(service, formation, initiative) and, for trainings, certification, level, duration, next
sessions, funding and Green Tech themes; it is validated like the rest and never exported.

Each item is validated with the official models (PyPI `data-inclusion-schema`, v1), then
against Jalon's own references (INSEE codes, structures of the services). One bad line rejects
the file, and the report lists every bad line with its number and a French reason (for a
workbook, every bad cell with its sheet, line and column). A valid file is upserted on
(source, id): importing it again changes nothing. The workbook is read by `spreadsheet`, which
turns it into the same rows as JSON and CSV.
"""

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Annotated, Literal

import pydantic
from data_inclusion.schema import v1
from data_inclusion.schema.v1 import score_qualite
from django.db import transaction
from django.utils import timezone

from jalon.structures.models import Commune

from . import spreadsheet
from .models import DirectoryStructure, GreenTheme, Service, ServiceTheme, ServiceZone, eligibility_codes
from .search import sync_index

# Model fields that are not data·inclusion fields (set by Jalon, not read from the file).
SKIP = {
    "id",
    "source_id",
    "commune",
    "structure",
    "owner",
    "updated_at",
    "score_qualite",
    "kind",
    "search_name",
    "search_body",
}
# The data·inclusion fields that hold lists: one definition, with the spreadsheet reader.
LIST_FIELDS = spreadsheet.LIST_FIELDS
# Pydantic's error types, in the words of the people who fix the file.
MESSAGES = {
    "missing": "champ obligatoire absent",
    "string_too_short": "texte trop court",
    "string_too_long": "texte trop long",
    "string_pattern_mismatch": "format incorrect",
    "string_type": "du texte est attendu",
    "enum": "valeur inconnue du référentiel",
    "literal_error": "valeur inconnue du référentiel",
    "date_from_datetime_parsing": "date invalide (AAAA-MM-JJ)",
    "date_parsing": "date invalide (AAAA-MM-JJ)",
    "date_type": "date invalide (AAAA-MM-JJ)",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "int_parsing": "nombre entier attendu",
    "url_parsing": "adresse web invalide",
    "url_scheme": "adresse web invalide",
    "value_error": "valeur refusée",
    "too_short": "liste vide",
    "set_type": "une liste est attendue",
    "list_type": "une liste est attendue",
    "extra_forbidden": "champ inconnu",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "dict_type": "un objet est attendu",
    "model_type": "un objet est attendu",
}


class Translation(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    nom: Annotated[str, pydantic.Field(min_length=3, max_length=150)]
    description: Annotated[str, pydantic.Field(min_length=3, max_length=10_000)]


class Extension(pydantic.BaseModel):
    """Jalon's fields for trainings and initiatives, next to the data·inclusion ones."""

    model_config = pydantic.ConfigDict(extra="forbid")

    nature: Literal["service", "formation", "initiative"] = "service"
    certification: Annotated[str, pydantic.StringConstraints(pattern=r"^(RNCP|RS)\d{2,6}$")] | None = None
    niveau: Annotated[int, pydantic.Field(ge=3, le=8)] | None = None
    duree_heures: Annotated[int, pydantic.Field(ge=1, le=10_000)] | None = None
    prochaines_sessions: list[date] = []
    financement: Annotated[str, pydantic.Field(max_length=2000)] = ""
    themes_verts: list[Literal[tuple(GreenTheme.values)]] = []  # type: ignore[valid-type]
    traductions: dict[Literal["en", "es", "pt", "it"], Translation] = {}

    def values(self) -> dict:
        return {
            "kind": self.nature,
            "certification": self.certification or "",
            "niveau": self.niveau,
            "duree_heures": self.duree_heures,
            "prochaines_sessions": sorted(d.isoformat() for d in self.prochaines_sessions),
            "financement": self.financement,
            "themes_verts": sorted(set(self.themes_verts)),
            "traductions": {lang: t.model_dump() for lang, t in sorted(self.traductions.items())},
        }


@dataclass
class Problem:
    kind: str  # "structure", "service" or "fichier"
    line: int
    identifier: str
    message: str
    sheet: str = ""  # a workbook's sheet, and the column letter of the bad cell
    column: str = ""

    def __str__(self):
        where = f"ligne {self.line}" if self.line else "fichier"
        if self.sheet:
            where = f"feuille « {self.sheet} », {where}"
            if self.column:
                where += f", colonne {self.column}"
        ident = f" ({self.identifier})" if self.identifier else ""
        kind = f", {self.kind}" if self.kind != "fichier" or not self.sheet else ""
        return f"{where}{kind}{ident} : {self.message}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    structures: Counter = field(default_factory=Counter)
    services: Counter = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)  # what was ignored, without blocking

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"Fichier refusé : {len(self.problems)} erreur(s) à corriger, rien n'a été enregistré."
        parts = []
        for label, counts in (("structures", self.structures), ("services", self.services)):
            parts.append(
                f"{label} : {counts['created']} créée(s), {counts['updated']} mise(s) à jour, "
                f"{counts['unchanged']} inchangée(s)"
            )
        return "Import terminé — " + " ; ".join(parts) + "."


class FileError(ValueError):
    pass


# --- Reading -----------------------------------------------------------------------------------


def _csv_value(name: str, raw: str):
    raw = (raw or "").strip()
    if raw == "":
        return None
    if name in LIST_FIELDS:
        if raw.startswith("["):
            try:
                return json.loads(raw)
            except json.JSONDecodeError:
                return raw
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def read(name: str, content: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, dict]]]:
    """(line, item) pairs for structures and services. Lines: JSON position or CSV line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError("Le fichier doit être encodé en UTF-8.") from exc
    if name.lower().endswith(".csv"):
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        if not reader.fieldnames:
            raise FileError("Le fichier CSV est vide.")
        rows = [(n + 2, {k: _csv_value(k, v) for k, v in row.items() if k}) for n, row in enumerate(reader)]
        rows = [(line, {k: v for k, v in row.items() if v is not None}) for line, row in rows]
        if "structure_id" in reader.fieldnames:
            return [], rows
        return rows, []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"Le fichier n'est pas du JSON valide (ligne {exc.lineno}).") from exc
    except RecursionError as exc:
        # Lists in lists thousands deep: no data·inclusion file looks like this.
        raise FileError(
            "Le fichier JSON est trop imbriqué (des listes dans des listes) : ce n'est pas le format "
            "data·inclusion."
        ) from exc
    if isinstance(data, dict):
        structures, services = data.get("structures", []), data.get("services", [])
        if not isinstance(structures, list) or not isinstance(services, list):
            raise FileError("« structures » et « services » doivent être des listes.")
        if any(isinstance(item, dict) and "services" in item for item in structures):
            # Services nested in their structure would be dropped silently by the models.
            raise FileError(
                "Les services sont rangés dans leurs structures : ce format imbriqué n'est pas pris en "
                "charge. Mettez-les dans une liste « services » à part, avec « structure_id »."
            )
    elif isinstance(data, list):
        services = [item for item in data if isinstance(item, dict) and "structure_id" in item]
        structures = [item for item in data if not (isinstance(item, dict) and "structure_id" in item)]
    else:
        raise FileError(
            "Le fichier doit contenir une liste, ou un objet avec « structures » et « services »."
        )
    return list(enumerate(structures, start=1)), list(enumerate(services, start=1))


# --- Checking ----------------------------------------------------------------------------------


def _french(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if not isinstance(part, int)) or "élément"
    message = MESSAGES.get(error.get("type", ""), error.get("msg", "valeur refusée"))
    if error.get("type") == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ") or message
        if "email address" in message:
            message = "adresse e-mail invalide"
    if error.get("type") == "custom":
        message = error["msg"]
    if error.get("type") in {"enum", "literal_error"}:
        message += f" (« {error.get('input')} »)"
    return f"{where} : {message}"


def _cell(sheet, name: str) -> dict:
    """Where field `name` is in a workbook (sheet and column), for Problem; {} for JSON/CSV."""
    if sheet is None:
        return {}
    column = sheet.columns.get(name)
    return {"sheet": sheet.name, "column": f"{column} ({name})" if column else f"« {name} » (absente)"}


def _extra_errors(row: dict, communes: set[str]) -> list[dict]:
    """What the national valideur checks beyond the models, as pydantic-like errors."""
    errors = []
    nom = row.get("nom")
    # A name ending with a full stop is refused ("etc." aside).
    if isinstance(nom, str) and nom.rstrip().endswith(".") and not nom.rstrip().endswith("etc."):
        errors.append({"loc": ("nom",), "type": "custom", "msg": "ne doit pas se terminer par un point"})
    code = row.get("code_insee")
    if isinstance(code, str) and len(code) == 5 and code.isalnum() and code not in communes:
        errors.append({"loc": ("code_insee",), "type": "custom", "msg": f"commune inconnue ({code})"})
    return errors


def _validate(model, kind: str, rows, problems: list[Problem], communes: set[str], sheet=None):
    valid = []
    seen = set()
    for line, row in rows:
        if not isinstance(row, dict):
            problems.append(Problem(kind, line, "", "un objet JSON est attendu"))
            continue
        identifier = str(row.get("id", ""))
        errors = []
        item = None
        try:
            item = model.model_validate(row)
        except pydantic.ValidationError as exc:
            errors = exc.errors()
        errors += _extra_errors(row, communes)
        if errors:
            if sheet is None:
                message = " ; ".join(_french(e) for e in errors)
                problems.append(Problem(kind, line, identifier, message))
            else:
                for error in errors:
                    name = str(error["loc"][0]) if error.get("loc") else ""
                    problems.append(Problem(kind, line, identifier, _french(error), **_cell(sheet, name)))
            continue
        key = (item.source, item.id)
        if key in seen:
            problems.append(
                Problem(kind, line, identifier, "identifiant en double dans le fichier", **_cell(sheet, "id"))
            )
            continue
        seen.add(key)
        valid.append((line, item))
    return valid


def _extensions(service_rows, problems: list[Problem]) -> tuple[list, dict]:
    """Take each service's "jalon" object out before the official validation, and check it."""
    rows, extensions = [], {}
    for line, row in service_rows:
        if isinstance(row, dict) and "jalon" in row:
            row = dict(row)
            raw = row.pop("jalon")
            try:
                extensions[line] = Extension.model_validate(raw)
            except pydantic.ValidationError as exc:
                message = " ; ".join("jalon." + _french(e) for e in exc.errors())
                problems.append(Problem("service", line, str(row.get("id", "")), message))
        rows.append((line, row))
    return rows, extensions


def check(structure_rows, service_rows, sheets=None) -> tuple[list, list, list[Problem]]:
    """Validate the rows. `sheets` ({"structure": Sheet, "service": Sheet}) comes with a workbook:
    then each bad cell is its own problem, and a service without Jalon extension keeps its own."""
    problems: list[Problem] = []
    sheets = sheets if sheets is not None else {}
    workbook = bool(sheets)
    codes = {
        row.get("code_insee")
        for _, row in [*structure_rows, *service_rows]
        if isinstance(row, dict) and isinstance(row.get("code_insee"), str)
    }
    communes = set(Commune.objects.filter(code__in=codes).values_list("code", flat=True))
    structures = _validate(
        v1.Structure, "structure", structure_rows, problems, communes, sheets.get("structure")
    )
    service_rows, extensions = _extensions(service_rows, problems)
    services = _validate(v1.Service, "service", service_rows, problems, communes, sheets.get("service"))
    default = None if workbook else Extension()
    services = [(line, item, extensions.get(line, default)) for line, item in services]
    in_file = {(item.source, item.id) for _, item in structures}
    wanted = {(item.source, item.structure_id) for _, item, _ in services} - in_file
    in_db = set()
    if wanted:
        for source, source_id in DirectoryStructure.objects.filter(
            source__in={s for s, _ in wanted}, source_id__in={i for _, i in wanted}
        ).values_list("source", "source_id"):
            in_db.add((source, source_id))
    for line, item, _ in services:
        if (item.source, item.structure_id) not in in_file | in_db:
            problems.append(
                Problem(
                    "service",
                    line,
                    item.id,
                    f"structure_id : structure inconnue ({item.structure_id})",
                    **_cell(sheets.get("service"), "structure_id"),
                )
            )
    problems.sort(key=lambda p: (p.kind != "structure", p.line, p.column))
    return structures, services, problems


# --- Writing -----------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(_plain(v) for v in value)
    if isinstance(value, date):
        return value
    if value is None:
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)  # HttpUrl, EmailStr


def _values(model, item, exclude: set[str]) -> dict:
    values = {}
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        if name in exclude or name in {
            "id",
            "source_id",
            "commune",
            "structure",
            "owner",
            "updated_at",
            "score_qualite",
            "kind",
        }:
            continue
        if not hasattr(item, name):
            continue
        value = _plain(getattr(item, name))
        if value is None:
            value = [] if name in LIST_FIELDS else (None if model_field.null else "")
        values[name] = value
    values["source_id"] = item.id
    values["commune_id"] = item.code_insee or None
    return values


def _upsert(model, lookup: dict, values: dict, counts: Counter):
    """Create or update; returns (object, whether it was written)."""
    existing = model.objects.filter(**lookup).first()
    if existing is None:
        obj = model.objects.create(**lookup, **{k: v for k, v in values.items() if k not in lookup})
        counts["created"] += 1
        return obj, True
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if not changed:
        counts["unchanged"] += 1
        return existing, False
    for key, value in changed.items():
        setattr(existing, key, value)
    existing.updated_at = timezone.now()
    existing.save()
    counts["updated"] += 1
    return existing, True


def _index(services: list[Service]) -> None:
    """Search words and eligibility zones of the services just written."""
    for service in services:
        service.refresh_search()
        service.save(update_fields=["search_name", "search_body"])
    unzoned = {s.commune_id for s in services if not s.zone_eligibilite and s.commune_id}
    departements = dict(Commune.objects.filter(code__in=unzoned).values_list("code", "departement"))
    ServiceZone.objects.filter(service__in=services).delete()
    ServiceZone.objects.bulk_create(
        ServiceZone(service=service, code=code)
        for service in services
        for code in eligibility_codes(service, departements)
    )
    ServiceTheme.objects.filter(service__in=services).delete()
    ServiceTheme.objects.bulk_create(
        ServiceTheme(service=service, code=code) for service in services for code in set(service.thematiques)
    )
    sync_index(services)


def _foreign(owner, structures, services) -> list[Problem]:
    """A structure publishing its offer may only write identifiers that are new or already its own."""
    problems = []
    keys = {(item.source, item.id) for _, item in structures}
    keys |= {(item.source, item.structure_id) for _, item, _ in services}
    taken = {
        (s.source, s.source_id)
        for s in DirectoryStructure.objects.filter(
            source__in={k[0] for k in keys}, source_id__in={k[1] for k in keys}
        ).exclude(owner=owner)
        if (s.source, s.source_id) in keys
    }
    service_keys = {(item.source, item.id) for _, item, _ in services}
    taken_services = {
        (s.source, s.source_id)
        for s in Service.objects.filter(
            source__in={k[0] for k in service_keys}, source_id__in={k[1] for k in service_keys}
        )
        .exclude(structure__owner=owner)
        .only("source", "source_id")
        if (s.source, s.source_id) in service_keys
    }
    message = (
        "cet identifiant appartient déjà à une autre structure de l'annuaire ; changez « source » ou « id »"
    )
    for line, item in structures:
        if (item.source, item.id) in taken:
            problems.append(Problem("structure", line, item.id, message))
    for line, item, _ in services:
        if (item.source, item.id) in taken_services or (item.source, item.structure_id) in taken:
            problems.append(Problem("service", line, item.id, message))
    return problems


def default_source(owner) -> str:
    """The source of rows that name none (the XLSX template has no such column)."""
    if owner is None:
        return ""
    sources = set(DirectoryStructure.objects.owned_by(owner).values_list("source", flat=True)[:2])
    if len(sources) == 1:
        return sources.pop()
    return f"jalon-{owner.pk}"


INDEX_BATCH = 500
Progress = Callable[[str, int, int], None]


def _silent(stage: str, done: int, total: int) -> None:
    pass


def _read_workbook(content, source: str, problems: list[Problem], report: Report):
    """The template's rows, its sheets for locating cells; header issues go to problems/notices."""
    template = spreadsheet.read_workbook(content, source=source)
    for issue in template.issues:
        if issue.blocking:
            problems.append(
                Problem("fichier", issue.line, "", issue.message, sheet=issue.sheet, column=issue.column)
            )
        else:
            report.notices.append(f"feuille « {issue.sheet} », colonne {issue.column} : {issue.message}")
    return template.structures, template.services, template.sheets


def import_file(name: str, content, *, owner=None, source: str = "", progress: Progress = _silent) -> Report:
    """Check then write a whole file. `content`: bytes, or a binary file for a workbook.
    `progress(stage, done, total)` is told how far it got ("lecture", "vérification", "écriture")."""
    report = Report()
    sheets = None
    sheet_problems: list[Problem] = []
    progress("lecture", 0, 1)
    try:
        if name.lower().endswith(".xlsx"):
            structure_rows, service_rows, sheets = _read_workbook(
                content, source or default_source(owner), sheet_problems, report
            )
        else:
            if not isinstance(content, bytes | bytearray):
                content = content.read()
            structure_rows, service_rows = read(name, content)
    except (FileError, spreadsheet.SpreadsheetError) as exc:
        report.problems.append(Problem("fichier", 0, "", str(exc)))
        return report
    if not structure_rows and not service_rows:
        report.problems.append(Problem("fichier", 0, "", "aucune structure ni aucun service dans le fichier"))
        return report
    total = len(structure_rows) + len(service_rows)
    progress("vérification", 0, total)
    structures, services, problems = check(structure_rows, service_rows, sheets)
    # The raw rows are no longer needed: only the validated items stay in memory for the writing.
    del structure_rows, service_rows, content
    problems = sheet_problems + problems
    if owner is not None:
        problems += _foreign(owner, structures, services)
    if problems:
        report.problems = problems
        return report
    progress("écriture", 0, total)
    with transaction.atomic():
        by_key = {}
        for _, item in structures:
            values = _values(DirectoryStructure, item, exclude=set())
            if owner is not None:
                values["owner_id"] = owner.pk
            obj, _ = _upsert(
                DirectoryStructure, {"source": item.source, "source_id": item.id}, values, report.structures
            )
            by_key[(item.source, item.id)] = obj
        done = len(structures)
        progress("écriture", done, total)
        touched = []
        for _, item, extension in services:
            parent = by_key.get((item.source, item.structure_id)) or DirectoryStructure.objects.get(
                source=item.source, source_id=item.structure_id
            )
            values = _values(Service, item, exclude=set())
            values["structure_id"] = parent.pk
            values["score_qualite"] = score_qualite.score(item)[0]
            if extension is not None:
                values.update(extension.values())
            service, written = _upsert(
                Service, {"source": item.source, "source_id": item.id}, values, report.services
            )
            if written:
                service.structure = parent  # its search text needs the structure's name
                touched.append(service)
            done += 1
            if len(touched) >= INDEX_BATCH:
                # Indexed by batch: the written objects of a large file are not all held at once.
                _index(touched)
                touched = []
            if done % 200 == 0:
                progress("écriture", done, total)
        _index(touched)
    return report

"""The official data·inclusion spreadsheet template: reading its quirks, import, export round trip.

`fixtures/dataset.xlsx` is the national test file of gip-inclusion/data-inclusion
(api/tests/fixtures/dataset.xlsx, MIT licence beside it): one real structure and two services
with deliberate mistakes, and what real spreadsheets hold.
"""

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from jalon.directory import spreadsheet
from jalon.directory.exporter import export_offer
from jalon.directory.importer import import_file
from jalon.directory.models import DirectoryStructure, Service
from tests.directory.test_import_export import SERVICE, STRUCTURE, dump
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "dataset.xlsx"
STRUCTURE_ID = "005d3060-c322-4ec5-bd70-a60f054d3b81"
SERVICE_IDS = ["53669028-8862-4f42-a80c-d3f269456edc", "53669028-8862-4f42-a80c-d3f269456ed2"]


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template(structures=(), services=(), themes=(), structure_header=None, service_header=None) -> bytes:
    """A workbook shaped like the template: header, description row, `__ignore__` column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Structures"
    header = structure_header or ["__ignore__", "id", "source", "date_maj", "nom", "siret", "code_insee"]
    sheet.append(header)
    sheet.append([True] + ["une description"] * (len(header) - 1))
    for row in structures:
        sheet.append(row)
    sheet = book.create_sheet("Services")
    header = service_header or [
        "__ignore__",
        "structure_id",
        "id",
        "source",
        "date_maj",
        "nom",
        "description",
        "thematiques",
        "code_insee",
        "code_postal",
        "zone_eligibilite",
        "telephone",
    ]
    sheet.append(header)
    sheet.append([True] + ["une description"] * (len(header) - 1))
    for row in services:
        sheet.append(row)
    sheet = book.create_sheet("Services - Thématiques")
    sheet.append(["__ignore__", "service_id", "thématique"])
    sheet.append([True, "L'identifiant du service."])
    for row in themes:
        sheet.append(row)
    vocabulary = book.create_sheet("Frais")
    vocabulary.append(["value", "label", "description"])
    vocabulary.append(["gratuit", "Gratuit", ""])
    return saved(book)


DESCRIPTION = "Un atelier pour réparer son vélo avec un mécanicien, les mardis et jeudis après-midi."


def good_workbook(**changes) -> bytes:
    structure = [
        None,
        "atelier-velo",
        "jalon-demo",
        datetime(2026, 9, 1),
        "Atelier vélo",
        1234567800012,
        1053,
    ]
    service = [
        None,
        "atelier-velo",
        "reparation",
        "jalon-demo",
        datetime(2026, 9, 2),
        "Réparation de vélos",
        DESCRIPTION,
        "mobilite--entretenir-reparer-son-vehicule, mobilite--louer-un-vehicule",
        1053,
        1000.0,
        1,
        612345678,
    ]
    return template(structures=[structure], services=[service], **changes)


def test_reader_restores_what_a_spreadsheet_did_to_the_values():
    read = spreadsheet.read_workbook(
        good_workbook(themes=[[None, "reparation", "numerique--acceder-a-des-services-en-ligne"]])
    )
    (line, structure), *_ = read.structures
    assert line == 3
    # SIRET, INSEE code and postcode typed as numbers get their leading zeros back.
    assert structure["siret"] == "01234567800012" and structure["code_insee"] == "01053"
    assert structure["date_maj"] == "2026-09-01"  # a real spreadsheet date
    (_, service), *_ = read.services
    assert service["code_postal"] == "01000" and service["zone_eligibilite"] == ["01"]
    assert service["telephone"] == "0612345678"
    # Comma-separated lists split, and the themes sheet joined on the service id.
    assert service["thematiques"] == [
        "mobilite--entretenir-reparer-son-vehicule",
        "mobilite--louer-un-vehicule",
        "numerique--acceder-a-des-services-en-ligne",
    ]
    assert not read.issues


def test_reader_skips_description_ignored_and_empty_formatted_rows():
    book = load_workbook(io.BytesIO(good_workbook()))
    sheet = book["Services"]
    sheet.append([True, "atelier-velo", "exemple", "jalon-demo"])  # an example row, marked to ignore
    for row in range(5, 40):  # formatted but empty rows, as spreadsheets keep them
        sheet.cell(row=row, column=3).number_format = "@"
        sheet.cell(row=row, column=4, value="  ")
    read = spreadsheet.read_workbook(saved(book))
    assert [line for line, _ in read.services] == [3]


def test_with_an_ignore_column_only_flagged_rows_are_skipped():
    # A producer who deleted the description row loses no data row.
    book = load_workbook(io.BytesIO(good_workbook()))
    book["Structures"].delete_rows(2)
    read = spreadsheet.read_workbook(saved(book))
    assert [(line, item["id"]) for line, item in read.structures] == [(2, "atelier-velo")]


def test_reader_reports_a_duplicated_column_and_notes_an_extra_one():
    header = ["__ignore__", "id", "source", "date_maj", "nom", "nom", "colonne en trop"]
    content = template(
        structures=[[None, "a", "s", date(2026, 1, 1), "Un nom", "Un autre", "x"]], structure_header=header
    )
    report = import_file("offre.xlsx", content)
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        "feuille « Structures », ligne 1, colonne F : colonne « nom » en double (déjà en colonne E)"
    ]
    assert report.notices == [
        "feuille « Structures », colonne G : colonne « colonne en trop » inconnue du modèle : ignorée"
    ]


def test_a_quoted_formula_from_our_export_reads_back_as_text():
    assert spreadsheet.cell_value("telephone", "'+33549000000") == "+33549000000"
    assert spreadsheet.cell_value("nom", "'L'atelier") == "'L'atelier"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"PK\x03\x04 pas un zip", "classeur Excel"),
        (saved(Workbook()), "ni feuille « Structures »"),
    ],
)
def test_unreadable_workbooks_get_a_french_message(content, message):
    report = import_file("offre.xlsx", content)
    assert not report.ok and message in str(report.problems[0])


def test_national_test_file_reports_its_mistakes_cell_by_cell_and_writes_nothing():
    report = import_file(FIXTURE.name, FIXTURE.read_bytes(), source="action-logement")
    assert not report.ok
    found = {(p.sheet, p.line, p.column.split(" ")[0]) for p in report.problems}
    expected = {
        ("Structures", 1, "C"),  # a date where the header "date_maj" belongs
        ("Structures", 4, "D"),  # a name ending with a full stop
        ("Structures", 4, "J"),  # a six-digit postcode
        ("Structures", 4, "L"),  # an e-mail that is not
        ("Structures", 4, "N"),  # a web address that is not
        ("Services", 1, "J"),  # lien_source twice
        ("Services", 4, "I"),  # an unknown theme
        ("Services", 5, "Q"),  # an unknown INSEE code
        ("Services", 4, "AE"),  # "beaucoup" weeks
    }
    assert expected <= found
    by_cell = {(p.sheet, p.line, p.column.split(" ")[0]): str(p) for p in report.problems}
    assert by_cell[("Structures", 4, "L")] == (
        "feuille « Structures », ligne 4, colonne L (courriel), structure "
        f"({STRUCTURE_ID}) : courriel : adresse e-mail invalide"
    )
    assert "ne doit pas se terminer par un point" in by_cell[("Structures", 4, "D")]
    assert "commune inconnue (59999)" in by_cell[("Services", 5, "Q")]
    # Themes of services that are not in the "Services" sheet.
    assert ("Services - Thématiques", 5, "B") in found
    # The example rows marked `__ignore__` are not read.
    assert not any(p.line == 3 and p.sheet in {"Structures", "Services"} for p in report.problems)
    assert any("lien_url_gen" in notice for notice in report.notices)
    assert not DirectoryStructure.objects.exists() and not Service.objects.exists()


def corrected_fixture() -> bytes:
    """The national test file with each of its mistakes fixed, as a producer would."""
    book = load_workbook(FIXTURE)
    structures, services = book["Structures"], book["Services"]
    structures["C1"] = "date_maj"
    structures["D4"] = "AGENCE ACTION LOGEMENT"
    structures["J4"] = 75012
    structures["L4"] = "contact@actionlogement.fr"
    structures["N4"] = "https://www.actionlogement.fr/"
    services["D1"] = "date_maj"
    services.delete_cols(10)  # the second lien_source
    for row in (4, 5):
        services[f"I{row}"] = "logement-hebergement--louer-un-logement"
        services[f"AA{row}"] = "professionnels, usagers"  # mobilisable_par, was AB
        services[f"AD{row}"] = 3  # nombre_semaines, was AE
    services["P5"] = 59350  # code_insee, was Q
    themes = book["Services - Thématiques"]
    themes.delete_rows(5, themes.max_row)  # rows of services that are not in the file
    return saved(book)


def test_corrected_copy_imports_whole_and_again_changes_nothing():
    owner = StructureFactory(name="Action Logement")
    content = corrected_fixture()
    report = import_file("dataset.xlsx", content, owner=owner)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.structures["created"], report.services["created"]) == (1, 2)
    structure = DirectoryStructure.objects.get()
    assert structure.owner == owner and structure.siret == "82454114801871"
    assert structure.source == f"jalon-{owner.pk}"  # the template has no source column
    service = Service.objects.get(source_id=SERVICE_IDS[0])
    assert service.date_maj == date(2026, 2, 27) and service.commune_id == "59350"
    assert service.mobilisable_par == ["professionnels", "usagers"]
    assert service.nombre_semaines == 3 and service.volume_horaire_hebdomadaire == 10.5
    again = import_file("dataset.xlsx", content, owner=owner)
    assert again.ok and again.structures["unchanged"] == 1 and again.services["unchanged"] == 2


def test_export_writes_the_template_and_reimports_identically():
    owner = StructureFactory(name="Gare à idées")
    service = {**SERVICE, "nom": "-Permanence numérique", "zone_eligibilite": ["86", "86194"]}
    assert import_file("offre.json", dump(services=[service]), owner=owner).ok
    Service.objects.update(kind="formation", certification="RNCP1234")
    content = spreadsheet.write_workbook(export_offer(owner))
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[:3] == ["Structures", "Services", "Services - Thématiques"]
    assert "Publics" in book.sheetnames and "Frais" in book.sheetnames
    sheet = book["Services"]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "__ignore__" and sheet["A2"].value is True
    row = {name: cell for name, cell in zip(header, sheet[3], strict=False)}
    assert isinstance(row["date_maj"].value, datetime) and row["date_maj"].number_format == "DD/MM/YYYY"
    assert row["nom"].value == "'-Permanence numérique" and row["nom"].data_type == "s"  # never a formula
    assert row["telephone"].value == "'+33549000000"
    assert row["zone_eligibilite"].value == "86, 86194"  # lists as the template writes them
    report = import_file("offre.xlsx", content, owner=owner)
    assert report.ok, [str(p) for p in report.problems]
    assert report.structures["unchanged"] == 1 and report.services["unchanged"] == 1
    # Jalon's own fields are not in the national template, and a re-import keeps them.
    assert Service.objects.get().certification == "RNCP1234"
    assert json.dumps(export_offer(owner), sort_keys=True, default=str) == json.dumps(
        export_offer(owner), sort_keys=True, default=str
    )


def test_import_command_reads_the_template(tmp_path, capsys):
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command("import-services", str(FIXTURE))
    err = capsys.readouterr().err
    assert "feuille « Structures », ligne 4, colonne L (courriel)" in err
    good = tmp_path / "corrige.xlsx"
    good.write_bytes(corrected_fixture())
    call_command("import-services", str(good), "--source", "action-logement")
    assert DirectoryStructure.objects.get().source == "action-logement"


def test_export_command_writes_xlsx_and_json(tmp_path):
    owner = StructureFactory(name="Gare à idées")
    assert import_file("offre.json", dump(), owner=owner).ok
    target = tmp_path / "offre.xlsx"
    call_command(
        "export-services", "--proprietaire", "Gare à idées", "--format", "xlsx", "--sortie", str(target)
    )
    assert load_workbook(target)["Structures"]["B3"].value == STRUCTURE["id"]
    target = tmp_path / "offre.json"
    call_command("export-services", "--proprietaire", "Gare à idées", "--sortie", str(target))
    assert json.loads(target.read_text())["services"][0]["id"] == SERVICE["id"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"[" * 100_000 + b"]" * 100_000, "trop imbriqué"),
        (json.dumps({"structures": [{**STRUCTURE, "services": [SERVICE]}]}).encode(), "format imbriqué"),
    ],
)
def test_nested_json_is_refused_cleanly(content, message):
    report = import_file("offre.json", content)
    assert not report.ok and message in str(report.problems[0])

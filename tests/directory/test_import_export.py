"""data·inclusion import and export: validated whole before any write, idempotent, round trip."""

import copy
import json
from datetime import date

import pytest
from data_inclusion.schema import v1
from data_inclusion.schema.v1 import score_qualite
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.directory.exporter import export_offer
from jalon.directory.importer import import_file
from jalon.directory.models import DirectoryStructure, Service
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

STRUCTURE = {
    "source": "jalon-demo",
    "id": "gare-a-idees",
    "nom": "Gare à idées",
    "date_maj": "2026-10-01",
    "code_insee": "86194",
    "adresse": "1 place de la Gare",
    "telephone": "+33549000000",
}
SERVICE = {
    "source": "jalon-demo",
    "structure_id": "gare-a-idees",
    "id": "permanence-numerique",
    "nom": "Permanence numérique",
    "description": "Aide pour les démarches en ligne : créer une adresse e-mail, un compte CAF, "
    "déclarer ses revenus. Sur place, sans rendez-vous, avec un conseiller numérique. " * 2,
    "date_maj": "2026-10-01",
    "type": "accompagnement",
    "thematiques": [
        "numerique--acceder-a-des-services-en-ligne",
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
    ],
    "frais": "gratuit",
    "publics": ["tous-publics"],
    "modes_accueil": ["en-presentiel"],
    "zone_eligibilite": ["86"],
    "code_insee": "86194",
    "adresse": "1 place de la Gare",
    "telephone": "+33549000000",
    "modes_mobilisation": ["se-presenter"],
    "mobilisable_par": ["usagers"],
}


def dump(structures=(STRUCTURE,), services=(SERVICE,)) -> bytes:
    return json.dumps({"structures": list(structures), "services": list(services)}).encode()


def test_sample_items_are_valid_for_the_official_models():
    v1.Structure.model_validate(STRUCTURE)
    v1.Service.model_validate(SERVICE)


def test_import_then_reimport_changes_nothing():
    first = import_file("offre.json", dump())
    assert first.ok, first.problems
    assert (first.structures["created"], first.services["created"]) == (1, 1)
    service = Service.objects.get()
    assert service.structure.nom == "Gare à idées" and service.commune_id == "86194"
    assert service.thematiques == sorted(SERVICE["thematiques"]) and service.zone_eligibilite == ["86"]
    assert service.score_qualite == score_qualite.score(v1.Service.model_validate(SERVICE))[0]
    before = service.updated_at
    again = import_file("offre.json", dump())
    assert again.ok and again.structures["unchanged"] == 1 and again.services["unchanged"] == 1
    assert Service.objects.get().updated_at == before
    changed = import_file("offre.json", dump(services=[{**SERVICE, "nom": "Permanence numérique du mardi"}]))
    assert changed.services["updated"] == 1 and Service.objects.get().nom == "Permanence numérique du mardi"
    assert "1 mise(s) à jour" in changed.summary()


def test_every_bad_line_is_reported_and_nothing_is_written():
    services = [
        SERVICE,
        {**SERVICE, "id": "sans-nom", "nom": None},
        {**SERVICE, "id": "theme-inconnu", "thematiques": ["cuisine--gateaux"]},
        {**SERVICE, "id": "commune-inconnue", "code_insee": "99999"},
        {**SERVICE, "id": "orphelin", "structure_id": "nulle-part"},
        SERVICE,
    ]
    report = import_file("offre.json", dump(services=services))
    assert not report.ok and "rien n'a été enregistré" in report.summary()
    assert [(p.line, p.identifier) for p in report.problems] == [
        (2, "sans-nom"),
        (3, "theme-inconnu"),
        (4, "commune-inconnue"),
        (5, "orphelin"),
        (6, "permanence-numerique"),
    ]
    messages = [p.message for p in report.problems]
    assert messages[0] == "nom : du texte est attendu"
    assert "valeur inconnue du référentiel (« cuisine--gateaux »)" in messages[1]
    assert "commune inconnue (99999)" in messages[2] and "structure inconnue (nulle-part)" in messages[3]
    assert "en double" in messages[4]
    assert not DirectoryStructure.objects.exists() and not Service.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe", "UTF-8"),
        (b"{pas du json", "JSON valide"),
        (b'"texte"', "une liste"),
        (b"[]", "aucune structure"),
    ],
)
def test_unreadable_files_get_a_french_message(content, message):
    report = import_file("offre.json", content)
    assert not report.ok and message in str(report.problems[0])


def test_csv_with_lists_and_semicolons():
    import_file("structures.json", dump(services=[]))
    header = "source;structure_id;id;nom;description;date_maj;thematiques;zone_eligibilite;frais\n"
    row = (
        "jalon-demo;gare-a-idees;atelier-cv;Atelier CV;Écrire son CV et sa lettre de motivation avec un "
        "conseiller.;2026-09-01;preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation,numerique--maitriser-les-fondamentaux-du-numerique;"
        "86194,86;gratuit\n"
    )
    report = import_file("services.csv", (header + row).encode("utf-8"))
    assert report.ok, [str(p) for p in report.problems]
    service = Service.objects.get(source_id="atelier-cv")
    assert service.thematiques == sorted(
        [
            "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",
            "numerique--maitriser-les-fondamentaux-du-numerique",
        ]
    )
    bad = import_file("services.csv", (header + row.replace("2026-09-01", "hier")).encode("utf-8"))
    assert [p.line for p in bad.problems] == [2] and "date invalide" in bad.problems[0].message


REQUIRED = ["source", "id", "nom", "description", "date_maj", "structure_id"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    broken=st.sets(st.integers(min_value=0, max_value=7), min_size=1),
    how=st.sampled_from(["drop", "enum", "date", "short"]),
    field=st.sampled_from(REQUIRED),
)
def test_generated_broken_files_write_nothing_and_report_every_bad_line(broken, how, field):
    services = []
    for index in range(8):
        item = copy.deepcopy(SERVICE)
        item["id"] = f"service-{index}"
        if index in broken:
            if how == "drop":
                item.pop(field)
            elif how == "enum":
                item["frais"] = "presque-gratuit"
            elif how == "date":
                item["date_maj"] = "2026-13-45"
            else:
                item["nom"] = "ab"
        services.append(item)
    report = import_file("offre.json", dump(services=services))
    assert not report.ok
    assert {p.line for p in report.problems} == {i + 1 for i in broken}
    assert not DirectoryStructure.objects.exists() and not Service.objects.exists()


def test_export_of_a_structures_offer_is_valid_item_by_item_and_round_trips():
    owner = StructureFactory(name="Gare à idées")
    other = StructureFactory()
    assert import_file("offre.json", dump(), owner=owner).ok
    import_file(
        "autre.json",
        dump([{**STRUCTURE, "id": "autre"}], [{**SERVICE, "id": "x", "structure_id": "autre"}]),
        owner=other,
    )
    exported = export_offer(owner)
    assert [s["id"] for s in exported["structures"]] == ["gare-a-idees"]
    assert [s["id"] for s in exported["services"]] == ["permanence-numerique"]
    for item in exported["structures"]:
        v1.Structure.model_validate(item)
    for item in exported["services"]:
        v1.Service.model_validate(item)
    assert sorted(exported["services"][0]["thematiques"]) == sorted(SERVICE["thematiques"])
    assert date.fromisoformat(exported["services"][0]["date_maj"]) == date(2026, 10, 1)
    # The export imports back as "nothing changed".
    again = import_file("export.json", json.dumps(exported).encode())
    assert again.ok and again.services["unchanged"] == 1 and again.structures["unchanged"] == 1


def test_command_refuses_a_bad_file_with_the_lines_to_fix(tmp_path, capsys):
    bad = tmp_path / "offre.json"
    bad.write_bytes(dump(services=[{**SERVICE, "nom": None}]))
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command("import-services", str(bad))
    assert "ligne 1, service (permanence-numerique) : nom" in capsys.readouterr().err
    good = tmp_path / "ok.json"
    good.write_bytes(dump())
    call_command("import-services", str(good))
    assert "1 créée(s)" in capsys.readouterr().out


TRAINING = dict(
    SERVICE,
    id="technicien-eolien",
    nom="Technicien·ne de maintenance éolienne",
    jalon={
        "nature": "formation",
        "certification": "RNCP36060",
        "niveau": 4,
        "duree_heures": 700,
        "prochaines_sessions": ["2027-03-01", "2027-01-11"],
        "financement": "Pris en charge par la Région pour les demandeur·ses d'emploi.",
        "themes_verts": ["energie-renouvelables", "changement-climatique-pollution"],
    },
)


def test_training_extension_is_stored_and_never_exported():
    owner = StructureFactory()
    report = import_file("f.json", dump(services=(SERVICE, TRAINING)), owner=owner)
    assert report.ok, report.problems
    training = Service.objects.get(source_id="technicien-eolien")
    assert (training.kind, training.certification, training.niveau, training.duree_heures) == (
        "formation",
        "RNCP36060",
        4,
        700,
    )
    assert training.prochaines_sessions == ["2027-01-11", "2027-03-01"]
    assert training.green_theme_labels == ["Changement climatique et pollution", "Énergie et renouvelables"]
    assert Service.objects.get(source_id="permanence-numerique").kind == "service"
    exported = export_offer(owner)["services"]
    assert all("jalon" not in item and "niveau" not in item for item in exported)
    for item in exported:
        v1.Service.model_validate(item)
    # The same file again: nothing changes.
    again = import_file("f.json", dump(services=(SERVICE, TRAINING)), owner=owner)
    assert again.services["unchanged"] == 2


@pytest.mark.parametrize(
    "extension, words",
    [
        ({"niveau": 9}, "jalon.niveau : valeur trop grande"),
        ({"certification": "ABC12"}, "jalon.certification : format incorrect"),
        ({"themes_verts": ["jardinage"]}, "jalon.themes_verts : valeur inconnue du référentiel"),
        ({"prochaines_sessions": ["bientôt"]}, "jalon.prochaines_sessions : date invalide"),
        ({"couleur": "verte"}, "jalon.couleur : champ inconnu"),
        ("formation", "jalon.élément : un objet est attendu"),
    ],
)
def test_a_bad_extension_is_reported_in_french_and_nothing_is_written(extension, words):
    report = import_file("f.json", dump(services=(dict(SERVICE, jalon=extension),)))
    assert not report.ok and words in str(report.problems[0]), report.problems
    assert not Service.objects.exists() and not DirectoryStructure.objects.exists()

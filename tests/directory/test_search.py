"""Search: accents, case and plurals do not matter; names rank first; territories are respected."""

import json

import pytest

from jalon.directory.importer import import_file
from jalon.directory.models import Service
from jalon.directory.search import eligible_in, matching, prepare, search_page
from jalon.structures.models import Commune

pytestmark = pytest.mark.django_db

BASE = {"source": "test", "structure_id": "s", "date_maj": "2026-10-01"}


def load(*services):
    structures = [{"source": "test", "id": "s", "nom": "Maison des services", "date_maj": "2026-10-01"}]
    items = [{**BASE, "id": f"x{i}", **service} for i, service in enumerate(services)]
    report = import_file("f.json", json.dumps({"structures": structures, "services": items}).encode())
    assert report.ok, [str(p) for p in report.problems]


def names(query):
    """The names found for `query`, in the order of the result page."""
    rows, _ = search_page(Service.objects.all(), query, size=50)
    return [s.nom for s in rows]


def test_prepare_folds_accents_case_plurals_and_stop_words():
    assert prepare("Les Compétences NUMÉRIQUES des emplois") == "competence numerique emploi"


@pytest.mark.parametrize(
    "query",
    ["competences numeriques", "COMPÉTENCES NUMÉRIQUES", "compétence numérique", "Competence  Numerique !"],
)
def test_accents_case_and_plurals_do_not_matter(query):
    load(
        {"nom": "Compétences numériques", "description": "Apprendre à se servir d'un ordinateur."},
        {"nom": "Garde d'enfants", "description": "Pendant vos rendez-vous."},
    )
    assert names(query) == ["Compétences numériques"]


def test_plural_query_finds_the_singular_and_stems_match_related_words():
    load(
        {"nom": "Atelier emploi", "description": "Chercher un emploi près de chez vous."},
        {"nom": "Formation bureautique", "description": "Se former aux outils."},
    )
    assert names("emplois") == ["Atelier emploi"]
    assert names("formations") == ["Formation bureautique"]


def test_a_match_in_the_name_ranks_before_a_match_in_the_description():
    load(
        {"nom": "Permanence CAF", "description": "Aide au budget et au numérique pour vos démarches."},
        {"nom": "Atelier numérique", "description": "Découvrir l'ordinateur."},
    )
    assert names("numerique") == ["Atelier numérique", "Permanence CAF"]


def test_empty_or_stop_word_query_matches_nothing():
    load({"nom": "Atelier emploi", "description": "Chercher un emploi."})
    assert not matching(Service.objects.all(), "le la les").exists()


def test_territory_filter_never_returns_a_service_whose_zone_excludes_the_commune():
    mourenx, poitiers = Commune.objects.get(code="64410"), Commune.objects.get(code="86194")
    load(
        {"nom": "Département 64", "description": "Zone départementale.", "zone_eligibilite": ["64"]},
        {"nom": "Poitiers seulement", "description": "Zone communale.", "zone_eligibilite": ["86194"]},
        {"nom": "EPCI de Mourenx", "description": "Zone intercommunale.", "zone_eligibilite": [mourenx.epci]},
        {"nom": "Partout", "description": "Zone nationale.", "zone_eligibilite": ["france"]},
        {"nom": "Sans zone à Poitiers", "description": "Zone non précisée.", "code_insee": "86194"},
        {"nom": "Sans zone ni lieu", "description": "Rien de précisé."},
    )
    everything = Service.objects.all()
    assert sorted(s.nom for s in eligible_in(everything, mourenx)) == [
        "Département 64",
        "EPCI de Mourenx",
        "Partout",
    ]
    assert sorted(s.nom for s in eligible_in(everything, poitiers)) == [
        "Partout",
        "Poitiers seulement",
        "Sans zone à Poitiers",
    ]
    for commune in (mourenx, poitiers):
        for service in eligible_in(everything, commune):
            zone = set(service.zone_eligibilite)
            assert not zone or zone & {commune.code, commune.epci, commune.departement, "france"}


def test_reimport_keeps_the_index_in_step():
    load({"nom": "Atelier emploi", "description": "Chercher un emploi."})
    load({"nom": "Atelier logement", "description": "Trouver un logement."})
    assert names("logement") == ["Atelier logement"]
    assert not matching(Service.objects.all(), "emploi").exists()


def test_relevance_tiers_phrase_then_all_words_then_some_then_description():
    load(
        {"nom": "Permanence du quartier", "description": "Un écrivain public vous aide."},
        {"nom": "Écrivain de quartier", "description": "Service public gratuit."},
        {"nom": "Public écrivain", "description": "Mots inversés dans le nom."},
        {"nom": "Écrivain public", "description": "Courriers administratifs."},
        {"nom": "Aide aux courriers", "description": "Sans les deux mots."},
    )
    assert names("écrivains publics") == [
        "Écrivain public",  # the phrase in the name
        "Public écrivain",  # both words in the name
        "Écrivain de quartier",  # one word in the name, the other in the description
        "Permanence du quartier",  # only in the description
    ]


WINDOWS = [(1000, 20000), (3, 20000), (2, 3)]


@pytest.mark.parametrize("window, largest", WINDOWS)
def test_keyset_pages_walk_every_tier_once_in_order(window, largest, monkeypatch):
    # Small windows make PostgreSQL take every path: found in the first window, in a second one
    # sized from the first, and beyond through the planner.
    monkeypatch.setattr("jalon.directory.search.WINDOW", window)
    monkeypatch.setattr("jalon.directory.search.MAX_WINDOW", largest)
    services = []
    for i in range(5):  # the two tiers interleaved in id order, with services that do not match
        services.append({"nom": f"Atelier emploi {i}", "description": "Ensemble."})
        services.append({"nom": f"Garde d'enfants {i}", "description": "Pendant vos rendez-vous."})
        if i < 4:
            services.append({"nom": f"Permanence {i}", "description": "Chercher un emploi."})
    load(*services)
    expected = [f"Atelier emploi {i}" for i in range(5)] + [f"Permanence {i}" for i in range(4)]
    assert names("emploi") == expected
    seen, after = [], ""
    for _ in range(10):
        rows, after = search_page(Service.objects.all(), "emploi", after=after, size=2)
        seen += [s.nom for s in rows]
        if not after:
            break
    assert seen == expected


@pytest.mark.parametrize("window, largest", WINDOWS)
def test_pages_in_a_commune_walk_its_services_once_in_order(window, largest, monkeypatch):
    monkeypatch.setattr("jalon.directory.search.WINDOW", window)
    monkeypatch.setattr("jalon.directory.search.MAX_WINDOW", largest)
    mourenx = Commune.objects.get(code="64410")
    services = []
    for i in range(4):
        services.append(
            {"nom": f"Emploi Béarn {i}", "description": "Dans le Béarn.", "zone_eligibilite": ["64"]}
        )
        services.append({"nom": f"Emploi Vienne {i}", "description": "Ailleurs.", "zone_eligibilite": ["86"]})
        services.append(
            {"nom": f"Club {i}", "description": "Chercher un emploi.", "zone_eligibilite": ["france"]}
        )
    load(*services)
    expected = [f"Emploi Béarn {i}" for i in range(4)] + [f"Club {i}" for i in range(4)]
    seen, after = [], ""
    for _ in range(10):
        rows, after = search_page(Service.objects.all(), "emplois", after=after, size=3, commune=mourenx)
        seen += [s.nom for s in rows]
        if not after:
            break
    assert seen == expected


@pytest.mark.parametrize("after", ["pas-un-curseur", "WzEsICJ4Il0", "Wzk5LCAxXQ", "bnVsbA"])
def test_a_tampered_cursor_starts_from_the_first_page(after):
    load({"nom": "Atelier emploi", "description": "Chercher un emploi."})
    rows, _ = search_page(Service.objects.all(), "emploi", after=after)
    assert [s.nom for s in rows] == ["Atelier emploi"]


@pytest.mark.parametrize("after", ["WzEsICJ4Il0", "Wzk5LCAxXQ", "bnVsbA"])
def test_a_tampered_cursor_without_words_starts_from_the_first_page(after):
    load({"nom": "Atelier emploi", "description": "Chercher un emploi."})
    rows, _ = search_page(Service.objects.all(), "", after=after)
    assert [s.nom for s in rows] == ["Atelier emploi"]


def test_migration_gives_unzoned_services_their_departement():
    import importlib

    from django.apps import apps

    from jalon.directory.models import ServiceZone

    load(
        {"nom": "Sans zone à Poitiers", "description": "Zone non précisée.", "code_insee": "86194"},
        {"nom": "Partout", "description": "Zone nationale.", "zone_eligibilite": ["france"]},
    )
    ServiceZone.objects.filter(code="86").delete()  # as before the migration
    migration = importlib.import_module(
        "jalon.directory.migrations.0007_unzoned_services_in_their_departement"
    )
    migration.forwards(apps, None)
    assert sorted(ServiceZone.objects.values_list("service__nom", "code")) == [
        ("Partout", "france"),
        ("Sans zone à Poitiers", "86"),
    ]


def test_postgresql_zone_function_agrees_with_the_commune_table():
    """The département that jalon_service_zones() derives from an INSEE code is the commune
    table's, for every commune (the rule SQLite reads from ServiceZone rows)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("jalon_service_zones() exists on PostgreSQL only (migration 0008)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE jalon_service_zones('[]'::jsonb, code) <> ARRAY[departement]::text[]) "
            "FROM structures_commune"
        )
        total, different = cursor.fetchone()
        cursor.execute("SELECT jalon_service_zones('[\"france\", \"64\"]'::jsonb, '64410')")
        listed = cursor.fetchone()[0]
    assert total > 30000 and different == 0
    assert listed == ["france", "64"]

import json

import pytest
from data_inclusion.schema import v1

from jalon.directory.importer import import_file
from jalon.users.models import ApiToken

pytestmark = pytest.mark.django_db


def _api(membership):
    from django.test import Client

    _, raw = ApiToken.issue(user=membership.user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _load(owner=None, count=30):
    structures = [{"source": "test", "id": "s", "nom": "Maison des services", "date_maj": "2026-10-01"}]
    services = [
        {
            "source": "test",
            "structure_id": "s",
            "id": f"svc-{i:02d}",
            "nom": f"Atelier numérique {i:02d}" if i % 2 else f"Permanence emploi {i:02d}",
            "description": "Apprendre les compétences numériques de base." if i % 3 else "Trouver un emploi.",
            "date_maj": "2026-10-01",
            "type": "atelier" if i % 2 else "accompagnement",
            "thematiques": ["numerique--maitriser-les-fondamentaux-du-numerique"] if i % 2 else [],
            "zone_eligibilite": ["64"] if i < 20 else ["86"],
        }
        for i in range(count)
    ]
    report = import_file(
        "f.json", json.dumps({"structures": structures, "services": services}).encode(), owner=owner
    )
    assert report.ok, [str(p) for p in report.problems]


def test_search_pages_by_relevance_without_repeats_or_gaps(personas):
    _load()
    client = _api(personas.case_worker_a)
    seen, cursor = [], ""
    for _ in range(10):
        page = client.get(f"/api/v1/services?q=competences%20numeriques&taille=4&apres={cursor}").json()
        seen += [item["source_id"] for item in page["items"]]
        cursor = page["suivant"]
        if not cursor:
            break
    everything = client.get("/api/v1/services?q=competences%20numeriques&taille=100").json()["items"]
    assert seen == [item["source_id"] for item in everything] and len(seen) == len(set(seen)) == 20
    # Names containing the words come first.
    assert everything[0]["nom"].startswith("Atelier numérique")


def test_filters_by_commune_thematique_and_type(personas):
    _load()
    client = _api(personas.case_worker_a)
    poitiers = client.get("/api/v1/services?commune=86194&taille=100").json()["items"]
    assert {item["source_id"] for item in poitiers} == {f"svc-{i:02d}" for i in range(20, 30)}
    themed = client.get(
        "/api/v1/services?thematiques=numerique--maitriser-les-fondamentaux-du-numerique&taille=100"
    ).json()["items"]
    assert len(themed) == 15 and all(item["type"] == "atelier" for item in themed)
    typed = client.get("/api/v1/services?types=accompagnement&commune=64410&taille=100").json()["items"]
    assert {item["source_id"] for item in typed} == {f"svc-{i:02d}" for i in range(0, 20, 2)}
    unknown = client.get("/api/v1/services?commune=99999")
    assert unknown.status_code == 422 and "inconnu" in unknown.json()["detail"]


def test_filters_by_nature_public_cost_reception_and_level(personas):
    structures = [{"source": "test", "id": "s", "nom": "Maison des services", "date_maj": "2026-10-01"}]
    base = {"source": "test", "structure_id": "s", "date_maj": "2026-10-01", "description": "Pour tous."}
    services = [
        {**base, "id": "jeunes", "nom": "Garantie jeunes", "publics": ["jeunes"], "frais": "gratuit"},
        {**base, "id": "tous", "nom": "Accueil de jour", "publics": ["tous-publics"], "frais": "gratuit"},
        {**base, "id": "payant", "nom": "Cours du soir", "publics": ["seniors"], "frais": "payant"},
        {
            **base,
            "id": "bts",
            "nom": "BTS SIO",
            "modes_accueil": ["a-distance"],
            "jalon": {"nature": "formation", "niveau": 5},
        },
    ]
    report = import_file("f.json", json.dumps({"structures": structures, "services": services}).encode())
    assert report.ok, [str(p) for p in report.problems]
    client = _api(personas.case_worker_a)

    def ids(query):
        response = client.get(f"/api/v1/services?{query}&taille=100")
        assert response.status_code == 200, response.content
        return sorted(item["source_id"] for item in response.json()["items"])

    assert ids("public=jeunes") == ["jeunes", "tous"]
    assert ids("frais=payant") == ["payant"]
    assert ids("nature=formation") == ids("niveau=5") == ids("modes_accueil=a-distance") == ["bts"]
    assert ids("niveau=6") == []
    assert client.get("/api/v1/services?nature=formation&taille=1").json()["items"][0]["niveau"] == 5
    for bad in (
        "public=martiens",
        "frais=cher",
        "nature=stage",
        "types=atelierz",
        "thematiques=nimportequoi",
    ):
        response = client.get(f"/api/v1/services?{bad}")
        assert response.status_code == 422 and "inconnu" in response.json()["detail"], bad
    assert client.get("/api/v1/services?niveau=9").status_code == 422


def test_export_returns_only_my_offer_valid_for_data_inclusion(personas):
    _load(owner=personas.structure_a, count=3)
    mine = _api(personas.case_worker_a).get("/api/v1/services/export").json()
    assert len(mine["services"]) == 3 and all(v1.Service.model_validate(s) for s in mine["services"])
    theirs = _api(personas.case_worker_b).get("/api/v1/services/export").json()
    assert theirs == {"structures": [], "services": []}

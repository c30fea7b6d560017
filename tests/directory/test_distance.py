"""Search by distance: the commune's position, the radius, the order (tier, distance), the pages."""

import html
import json

import pytest
from django.urls import reverse

from jalon.directory import geo
from jalon.directory.importer import import_file
from jalon.directory.models import Service
from jalon.directory.search import search_page
from jalon.structures.models import Commune
from jalon.users.models import ApiToken

pytestmark = pytest.mark.django_db

PAU = (43.2951, -0.3708)


def load(*services):
    structures = [{"source": "test", "id": "s", "nom": "Maison des services", "date_maj": "2026-10-01"}]
    base = {"source": "test", "structure_id": "s", "date_maj": "2026-10-01", "zone_eligibilite": ["64"]}
    items = [{**base, "id": f"x{i}", **service} for i, service in enumerate(services)]
    report = import_file("f.json", json.dumps({"structures": structures, "services": items}).encode())
    assert report.ok, [str(p) for p in report.problems]


def north_of_pau(km):
    """A point `km` north of Pau's centre (one degree of latitude is 111.2 km)."""
    return {"latitude": PAU[0] + km / 111.2, "longitude": PAU[1]}


@pytest.fixture
def around_pau():
    load(
        {
            "nom": "Mairie de Pau, accueil",
            "description": "Guichet unique.",
            "code_insee": "64445",
            **north_of_pau(0),
        },
        {
            "nom": "Club emploi de Lescar",
            "description": "Recherche d'emploi.",
            "code_insee": "64335",
            **north_of_pau(6),
        },
        {
            "nom": "Permanence à Morlaàs",
            "description": "Trouver un emploi.",
            "code_insee": "64405",
            **north_of_pau(12),
        },
        {
            "nom": "Atelier emploi d'Orthez",
            "description": "Ateliers.",
            "code_insee": "64430",
            **north_of_pau(35),
        },
        {"nom": "Emploi sans adresse", "description": "Par téléphone.", "code_insee": "64445"},
        {
            "nom": "Emploi dans les Landes",
            "description": "Hors zone.",
            "zone_eligibilite": ["40"],
            **north_of_pau(8),
        },
    )
    return Commune.objects.get(code="64445")


def names(rows):
    return [s.nom for s in rows]


def test_distance_between_two_cities():
    assert 385 < geo.distance_km(48.8566, 2.3522, 45.7640, 4.8357) < 400  # Paris – Lyon


def test_the_commune_position_is_the_mean_of_its_geolocated_places(around_pau):
    assert geo.origin(around_pau) == pytest.approx(PAU)
    assert geo.origin(Commune.objects.get(code="86194")) is None


def test_radius_keeps_eligible_places_within_it_by_relevance_then_distance(around_pau):
    rows, _ = search_page(Service.objects.all(), "emploi", commune=around_pau, radius_km=20)
    # Names with the word first, nearest first; then descriptions only; never without coordinates,
    # never beyond the radius, never outside the service's zone (the Landes one is 8 km away).
    assert names(rows) == ["Club emploi de Lescar", "Permanence à Morlaàs"]
    assert [round(s.distance_km) for s in rows] == [6, 12]
    rows, _ = search_page(Service.objects.all(), "", commune=around_pau, radius_km=50)
    assert names(rows) == [
        "Mairie de Pau, accueil",
        "Club emploi de Lescar",
        "Permanence à Morlaàs",
        "Atelier emploi d'Orthez",
    ]
    rows, _ = search_page(Service.objects.all(), "emploi", commune=around_pau, radius_km=50)
    assert names(rows) == ["Club emploi de Lescar", "Atelier emploi d'Orthez", "Permanence à Morlaàs"]


def test_pages_by_distance_walk_every_result_once(around_pau):
    seen, after = [], ""
    for _ in range(10):
        rows, after = search_page(
            Service.objects.all(), "", after=after, size=1, commune=around_pau, radius_km=50
        )
        seen += names(rows)
        if not after:
            break
    assert seen == [
        "Mairie de Pau, accueil",
        "Club emploi de Lescar",
        "Permanence à Morlaàs",
        "Atelier emploi d'Orthez",
    ]


def test_a_commune_without_geolocated_place_is_told_plainly(around_pau, personas):
    with pytest.raises(geo.NoPosition):
        search_page(Service.objects.all(), "emploi", commune=Commune.objects.get(code="64410"), radius_km=10)
    client = personas.client_for(personas.case_worker_a)
    page = client.get(reverse("directory_search"), {"q": "emploi", "commune": "64410", "rayon": "10"})
    text = html.unescape(page.content.decode())
    # The reason, not the generic "no result" advice that would send them the wrong way.
    assert (
        "Aucun lieu géolocalisé n'est connu à Mourenx" in text and "Aucun service ne correspond" not in text
    )
    page = client.get(reverse("directory_search"), {"q": "emploi", "rayon": "10"})
    assert "Choisissez d'abord la commune de la personne" in html.unescape(page.content.decode())


def test_case_worker_page_shows_the_distance(around_pau, personas):
    client = personas.client_for(personas.case_worker_a)
    page = client.get(
        reverse("directory_search"), {"q": "emploi", "commune": "64445", "rayon": "20"}
    ).content.decode()
    assert "Club emploi de Lescar" in page and "à 6,0 km" in page and "Orthez" not in page


def test_api_radius(around_pau, personas):
    from django.test import Client

    _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    items = client.get("/api/v1/services?q=emploi&commune=64445&rayon_km=20").json()["items"]
    assert [(i["nom"], round(i["distance_km"])) for i in items] == [
        ("Club emploi de Lescar", 6),
        ("Permanence à Morlaàs", 12),
    ]
    for query, words in (
        ("q=emploi&rayon_km=20", "demande une commune"),
        ("commune=64410&rayon_km=5", "Mourenx"),
    ):
        response = client.get(f"/api/v1/services?{query}")
        assert response.status_code == 422 and words in response.json()["detail"]
    assert client.get("/api/v1/services?commune=64445&rayon_km=500").status_code == 422

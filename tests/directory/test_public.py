"""The public directory page: no account, the visitor's language with a French fallback, shareable."""

import html
import json

import pytest
from django.test import Client
from django.urls import reverse

from jalon.directory.importer import import_file
from jalon.directory.models import Service
from jalon.www.directory.public import visitor_language

from .test_import_export import SERVICE, STRUCTURE

pytestmark = pytest.mark.django_db

TRANSLATED = dict(
    SERVICE,
    id="eolien",
    nom="Technicien·ne de maintenance éolienne",
    description="Installer et entretenir des éoliennes : électricité, mécanique, travail en hauteur.",
    jalon={
        "nature": "formation",
        "niveau": 4,
        "traductions": {
            "es": {
                "nom": "Técnico/a de mantenimiento eólico",
                "description": "Instalar y mantener aerogeneradores: electricidad, mecánica, trabajo en altura.",
            }
        },
    },
)


def _load():
    data = {"structures": [STRUCTURE], "services": [SERVICE, TRANSLATED]}
    assert import_file("f.json", json.dumps(data).encode()).ok


def _text(response):
    return html.unescape(response.content.decode())


def test_spanish_visitor_reads_the_translation_and_the_french_fallback():
    _load()
    page = Client().get(reverse("public_services") + "?q=eolico&langue=es")
    text = _text(page)
    assert page.status_code == 200 and '<html lang="es">' in text
    assert "Encontrar un servicio cerca de usted" in text and "Técnico/a de mantenimiento eólico" in text
    assert "formación (nivel 4)" in text
    # A service with no Spanish text is shown in French, marked as such for screen readers.
    other = _text(Client().get(reverse("public_services") + "?q=demarches+en+ligne&langue=es"))
    assert "Permanence numérique" in other and '<li class="list-group-item" lang="fr">' in other
    assert "(descripción en francés)" in other


def test_language_from_the_browser_then_french():
    _load()
    english = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").get(reverse("public_services"))
    assert "Find a service near you" in _text(english)
    german = Client(HTTP_ACCEPT_LANGUAGE="de-DE").get(reverse("public_services"))
    assert "Trouver un service près de chez vous" in _text(german)
    unknown = Client().get(reverse("public_services") + "?langue=xx")
    assert '<html lang="fr">' in _text(unknown)


def test_bad_commune_gets_a_message_in_the_visitors_language():
    page = Client().get(reverse("public_services") + "?q=emploi&commune=Atlantide&langue=es")
    assert "Municipio no encontrado" in _text(page)


def test_staff_pages_stay_in_french_after_a_public_visit(personas):
    Client().get(reverse("public_services") + "?langue=it")
    staff = personas.client_for(personas.case_worker_a)
    assert '<html lang="fr">' in _text(staff.get(reverse("directory_search")))


def test_visitor_language_rules(rf):
    assert visitor_language(rf.get("/", {"langue": "pt"})) == "pt"
    assert visitor_language(rf.get("/", HTTP_ACCEPT_LANGUAGE="it-IT")) == "it"
    assert visitor_language(rf.get("/", HTTP_ACCEPT_LANGUAGE="de")) == "fr"


def test_translations_are_searchable_and_validated():
    _load()
    assert "eolico" in Service.objects.get(source_id="eolien").search_body
    bad = dict(
        TRANSLATED, jalon={"traductions": {"de": {"nom": "Windkraft", "description": "Windräder warten"}}}
    )
    report = import_file("f.json", json.dumps({"structures": [STRUCTURE], "services": [bad]}).encode())
    assert not report.ok and "jalon.traductions" in str(report.problems[0])


def test_a_visitor_searches_by_distance_in_their_language():
    from .test_distance import load, north_of_pau

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
            "nom": "Atelier emploi d'Orthez",
            "description": "Ateliers.",
            "code_insee": "64430",
            **north_of_pau(35),
        },
    )
    client = Client()
    page = html.unescape(
        client.get(
            reverse("public_services"), {"q": "emploi", "commune": "64445", "rayon": "10", "langue": "es"}
        ).content.decode()
    )
    assert "Club emploi de Lescar" in page and "Orthez" not in page
    assert "a 6.0 km" in page or "a 6,0 km" in page
    assert "A menos de 10 km" in page
    page = html.unescape(
        client.get(
            reverse("public_services"), {"q": "emploi", "rayon": "10", "langue": "fr"}
        ).content.decode()
    )
    assert "Choisissez d'abord votre commune" in page
    page = html.unescape(
        client.get(
            reverse("public_services"), {"q": "emploi", "commune": "64410", "rayon": "5", "langue": "it"}
        ).content.decode()
    )
    assert "Non conosciamo nessun luogo in questo comune" in page

import html
import json

import pytest
from django.urls import reverse

from jalon.directory.importer import import_file
from jalon.directory.models import Service
from jalon.referrals import actions
from jalon.referrals.models import Orientation
from jalon.structures.models import Commune

pytestmark = pytest.mark.django_db


def load():
    structures = [{"source": "t", "id": "s", "nom": "Simplon", "date_maj": "2026-10-01"}]
    services = [
        {
            "source": "t",
            "structure_id": "s",
            "id": "hackeuses",
            "nom": "Les Hackeuses",
            "description": "Formation au développement web pour les femmes.",
            "date_maj": "2026-10-01",
            "type": "formation",
            "thematiques": ["se-former--trouver-sa-formation"],
            "zone_eligibilite": ["64"],
            "courriel": "hackeuses@simplon.example.org",
        },
        {
            "source": "t",
            "structure_id": "s",
            "id": "logement",
            "nom": "Aide au logement",
            "description": "Trouver un logement.",
            "date_maj": "2026-10-01",
            "thematiques": ["logement-hebergement--louer-un-logement"],
            "zone_eligibilite": ["64"],
        },
        {
            "source": "t",
            "structure_id": "s",
            "id": "ailleurs",
            "nom": "Formation à Poitiers",
            "description": "Formation au développement web.",
            "date_maj": "2026-10-01",
            "thematiques": ["se-former--trouver-sa-formation"],
            "zone_eligibilite": ["86"],
        },
    ]
    assert import_file("f.json", json.dumps({"structures": structures, "services": services}).encode()).ok


def test_finder_is_prefilled_with_the_persons_commune_and_needs_then_orients(personas, person_a):
    load()
    person_a.commune = Commune.objects.get(code="64410")
    person_a.save()
    actions.record_intake(
        person=person_a,
        structure=personas.structure_a,
        actor=None,
        needs=[{"domain": "formation", "priority": 1}],
    )
    client = personas.client_for(personas.case_worker_a)
    page = client.get(reverse("service_finder", args=[person_a.pk]))
    assert [s.source_id for s in page.context["rows"]] == ["hackeuses"]
    service = Service.objects.get(source_id="hackeuses")
    form = client.get(reverse("orientation_create", args=[person_a.pk]) + f"?service={service.pk}")
    assert form.context["form"].initial["target_service"] == service.pk
    response = client.post(
        reverse("orientation_create", args=[person_a.pk]),
        {
            "target_kind": "service",
            "target_service": service.pk,
            "target_label": "Les Hackeuses (Simplon)",
            "motive": "Veut devenir développeuse",
            "share_contact": "on",
        },
    )
    orientation = Orientation.objects.get()
    assert response.status_code == 302 and orientation.target_service == service
    assert orientation.target_label == "Les Hackeuses (Simplon)"
    from jalon.notifications.models import OutboxMessage

    assert OutboxMessage.objects.get(purpose="orientation_initial").to == "hackeuses@simplon.example.org"


def test_directory_search_page_with_words_and_needs(personas):
    load()
    client = personas.client_for(personas.read_only_a)
    page = client.get(reverse("directory_search") + "?q=developpement+web&commune=64410")
    assert [s.source_id for s in page.context["rows"]] == ["hackeuses"]
    both = client.get(reverse("directory_search") + "?q=formations")
    assert {s.source_id for s in both.context["rows"]} == {"hackeuses", "ailleurs"}
    nothing = client.get(reverse("directory_search") + "?q=zzzz")
    assert "Aucun service ne correspond" in html.unescape(nothing.content.decode())


def test_filters_by_nature_public_cost_and_reception(personas):
    load()
    Service.objects.filter(source_id="hackeuses").update(
        kind="formation",
        publics=["femmes", "demandeurs-emploi"],
        frais="gratuit",
        modes_accueil=["a-distance"],
    )
    Service.objects.filter(source_id="ailleurs").update(
        kind="formation", publics=["tous-publics"], frais="payant", modes_accueil=["en-presentiel"]
    )
    Service.objects.filter(source_id="logement").update(publics=["jeunes"], frais="gratuit")
    client = personas.client_for(personas.case_worker_a)

    def found(query):
        return {s.source_id for s in client.get(reverse("directory_search") + "?" + query).context["rows"]}

    assert found("nature=formation") == {"hackeuses", "ailleurs"}
    assert found("nature=initiative") == set()
    # "Tous publics" serves women too; "jeunes" does not.
    assert found("public=femmes") == {"hackeuses", "ailleurs"}
    assert found("public=jeunes") == {"logement", "ailleurs"}
    assert found("frais=gratuit") == {"hackeuses", "logement"}
    assert found("accueil=a-distance") == {"hackeuses"}
    assert found("nature=formation&frais=gratuit&accueil=a-distance&q=developpement") == {"hackeuses"}
    # A value outside the lists is a form error, not a filter.
    page = client.get(reverse("directory_search") + "?public=martiens")
    assert "Sélectionnez un choix valide" in html.unescape(page.content.decode())


def test_training_level_filter_and_details_in_the_results(personas):
    load()
    Service.objects.filter(source_id="hackeuses").update(
        kind="formation",
        niveau=5,
        certification="RNCP31114",
        duree_heures=400,
        prochaines_sessions=["2099-02-01"],
    )
    client = personas.client_for(personas.case_worker_a)
    page = client.get(reverse("directory_search") + "?niveau=5")
    assert [s.source_id for s in page.context["rows"]] == ["hackeuses"]
    text = html.unescape(page.content.decode())
    assert "niveau 5 · RNCP31114 · 400 h · prochaine session le 1er février 2099" in text
    assert client.get(reverse("directory_search") + "?niveau=3").context["rows"] == []

"""Every screen renders for the roles that may see it (content is tested elsewhere)."""

import pytest
from django.urls import reverse

ADMIN_PAGES = [
    "home",
    "people_list",
    "person_create",
    "structure_settings",
    "structure_members",
    "structure_audit",
    "structure_outbox",
    "api_tokens",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_render(personas, person_a, name):
    client = personas.client_for(personas.admin_a)
    response = client.get(reverse(name))
    assert response.status_code == 200, response.content[:500]
    assert b'lang="fr"' in response.content


@pytest.mark.parametrize("name", ["person_detail", "person_edit", "person_access_log", "person_sensitive"])
def test_person_pages_render_for_referent(personas, person_a, name):
    client = personas.client_for(personas.case_worker_a)
    response = client.get(reverse(name, args=[person_a.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", ["structure_settings", "structure_members", "structure_audit", "structure_outbox"]
)
def test_admin_pages_refused_to_case_worker(personas, name):
    client = personas.client_for(personas.case_worker_a)
    assert client.get(reverse(name)).status_code == 403


def test_user_without_structure_sees_explanation(personas):
    response = personas.client_for(personas.outsider).get(reverse("home"))
    assert response.status_code == 200
    assert "aucune structure" in response.content.decode().lower()


def test_healthz(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert client.get("/readyz").json()["checks"]["database"] == {"status": "ok"}

import json

import pytest
from django.test import Client
from django.utils import timezone

from jalon.audit.models import Action, AuditEvent
from jalon.people.models import Consent, ConsentPurpose, Person
from jalon.users.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def api_client(membership):
    _, raw = ApiToken.issue(user=membership.user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), raw


def post(client, payload, **headers):
    return client.post("/api/v1/people", data=json.dumps(payload), content_type="application/json", **headers)


PAYLOAD = {
    "first_name": "Élise",
    "last_name": "Durand",
    "phone": "06 12 34 56 78",
    "commune": "64410",
    "consent_method": "oral",
}


def test_token_is_stored_hashed_and_revocation_closes_access(personas):
    client, raw = api_client(personas.case_worker_a)
    token = ApiToken.objects.get(user=personas.case_worker_a.user)
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    assert client.get("/api/v1/structures").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/structures").status_code == 401
    assert Client().get("/api/v1/people").status_code == 401


def test_create_list_get_patch(personas):
    client, _ = api_client(personas.case_worker_a)
    response = post(client, PAYLOAD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "+33612345678" and body["commune"] == "64410"
    person = Person.objects.get(pk=body["id"])
    assert person.structure == personas.structure_a
    assert Consent.objects.active().filter(person=person, purpose=ConsentPurpose.ACCOMPANIMENT).exists()
    listed = client.get("/api/v1/people?q=durand").json()
    assert [item["id"] for item in listed["items"]] == [person.pk]
    assert client.get(f"/api/v1/people/{person.pk}").status_code == 200
    assert AuditEvent.objects.filter(person=person, action=Action.READ, via="api").exists()
    patched = client.patch(
        f"/api/v1/people/{person.pk}", data='{"rsa": true}', content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["rsa"] is True
    assert AuditEvent.objects.filter(person=person, action=Action.UPDATE, fields=["rsa"]).exists()


def test_duplicate_gives_409_then_force_creates(personas):
    client, _ = api_client(personas.case_worker_a)
    first = post(client, PAYLOAD).json()
    duplicate = post(client, {**PAYLOAD, "first_name": "Autre"})
    assert duplicate.status_code == 409 and duplicate.json()["existing_ids"] == [first["id"]]
    assert post(client, {**PAYLOAD, "first_name": "Autre", "force": True}).status_code == 201


@pytest.mark.parametrize(
    "change, message",
    [
        ({"phone": "12"}, "numéro"),
        ({"commune": "99999"}, "commune"),
        ({"birth_date": "2090-01-01"}, "Données invalides"),
    ],
)
def test_bad_input_is_refused_in_french_and_writes_nothing(personas, change, message):
    client, _ = api_client(personas.case_worker_a)
    response = post(client, {**PAYLOAD, **change})
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not Person.objects.exists()


def test_structure_header_cannot_reach_a_foreign_structure(personas):
    client, _ = api_client(personas.case_worker_a)
    response = client.get("/api/v1/people", HTTP_X_JALON_STRUCTURE=str(personas.structure_b.pk))
    assert response.status_code == 403


def test_read_only_role_cannot_write(personas, person_a):
    client, _ = api_client(personas.read_only_a)
    assert post(client, PAYLOAD).status_code == 403
    response = client.patch(
        f"/api/v1/people/{person_a.pk}", data='{"rsa": true}', content_type="application/json"
    )
    assert response.status_code == 403
    person_a.refresh_from_db()
    assert person_a.rsa is False


def test_openapi_schema_is_published(personas):
    client, _ = api_client(personas.case_worker_a)
    schema = client.get("/api/openapi.json").json()
    assert {"/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/structures"} <= set(schema["paths"])


def test_list_pages_with_a_cursor(personas):
    client, _ = api_client(personas.case_worker_a)
    for index, name in enumerate(["Abel", "Bernard", "Colin"]):
        post(client, {**PAYLOAD, "last_name": name, "phone": f"06 12 34 56 7{index}"})
    first = client.get("/api/v1/people?taille=2").json()
    assert [p["last_name"] for p in first["items"]] == ["Abel", "Bernard"]
    second = client.get(f"/api/v1/people?taille=2&apres={first['suivant']}").json()
    assert [p["last_name"] for p in second["items"]] == ["Colin"] and second["suivant"] is None

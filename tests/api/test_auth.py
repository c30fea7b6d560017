"""API authentication and the current structure: tokens, sessions, the X-Jalon-Structure header."""

import json

import pytest
from django.test import Client

from jalon.audit.models import Action, AuditEvent
from jalon.people.models import Person
from jalon.structures.models import Role
from jalon.users.models import ApiToken, hash_token

from ..factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db
UNAUTHENTICATED = {"detail": "Authentification requise."}
NO_STRUCTURE = {"detail": "Aucune structure active pour ce compte."}


def bearer(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def token_client(user):
    return bearer(ApiToken.issue(user=user, name="test")[1])


def test_only_a_hash_of_the_secret_is_stored(personas):
    token, raw = ApiToken.issue(user=personas.case_worker_a.user, name="tableur")
    assert raw.startswith(ApiToken.PREFIX) and len(raw) > 40
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["key_hash"] == hash_token(raw)
    # The secret is in no column; the hint is its prefix, too short to be used.
    assert not [name for name, value in row.items() if isinstance(value, str) and raw in value]
    assert row["hint"] == raw[:8]
    assert bearer(row["hint"]).get("/api/v1/structures").status_code == 401
    assert bearer(row["key_hash"]).get("/api/v1/structures").status_code == 401


def test_token_works_and_records_its_last_use(personas):
    token, raw = ApiToken.issue(user=personas.case_worker_a.user, name="t")
    response = bearer(raw).get("/api/v1/structures")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [personas.structure_a.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_revoked_from_the_account_page_gets_401(personas, person_a):
    user = personas.case_worker_a.user
    token, raw = ApiToken.issue(user=user, name="t")
    api = bearer(raw)
    assert api.get(f"/api/v1/people/{person_a.pk}").status_code == 200
    page = personas.client_for(user)
    assert page.post(f"/compte/jetons/{token.pk}/revoquer/", {"confirme": "oui"}).status_code == 302
    response = api.get(f"/api/v1/people/{person_a.pk}")
    assert response.status_code == 401 and response.json() == UNAUTHENTICATED
    assert (
        api.patch(f"/api/v1/people/{person_a.pk}", data="{}", content_type="application/json").status_code
        == 401
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize(
    "header",
    [None, "Bearer jln_inconnu", "Bearer ", "Token jln_x", "Basic dXNlcjpwYXNz", "bearer"],
)
def test_missing_or_bad_credentials_get_401(personas, person_a, header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    for url in ["/api/v1/people", f"/api/v1/people/{person_a.pk}", "/api/v1/structures"]:
        response = client.get(url)
        assert response.status_code == 401 and response.json() == UNAUTHENTICATED, url
    assert not AuditEvent.objects.filter(action=Action.READ).exists()


def test_token_of_a_deactivated_account_gets_401(personas):
    user = personas.case_worker_a.user
    _, raw = ApiToken.issue(user=user, name="t")
    user.is_active = False
    user.save()
    assert bearer(raw).get("/api/v1/people").status_code == 401


def test_former_member_sees_no_structure(personas, person_a):
    former = MembershipFactory(structure=personas.structure_a, is_active=False)
    client = token_client(former.user)
    for url in ["/api/v1/people", f"/api/v1/people/{person_a.pk}"]:
        response = client.get(url)
        assert response.status_code == 403 and response.json() == NO_STRUCTURE
    assert client.get("/api/v1/structures").json() == []


def test_session_works_and_its_writes_need_the_csrf_token(personas, person_a):
    user = personas.case_worker_a.user
    assert personas.client_for(user).get("/api/v1/people").status_code == 200
    # A page of another site could send the session cookie: without the token it writes nothing.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.patch(
        f"/api/v1/people/{person_a.pk}",
        data=json.dumps({"first_name": "Piège"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    created = browser.post(
        "/api/v1/people",
        data=json.dumps(
            {"first_name": "A", "last_name": "B", "phone": "0612345678", "consent_method": "oral"}
        ),
        content_type="application/json",
    )
    assert created.status_code == 403
    person_a.refresh_from_db()
    assert person_a.first_name != "Piège" and Person.objects.count() == 1


# --- X-Jalon-Structure -------------------------------------------------------------------------


def test_header_cannot_reach_a_structure_the_user_is_not_a_member_of(personas, person_a):
    person_b = PersonFactory(structure=personas.structure_b)
    client = token_client(personas.case_worker_a.user)
    answers = {}
    for header in [str(personas.structure_b.pk), "987654"]:
        answers[header] = [
            (r.status_code, r.content)
            for r in (
                client.get("/api/v1/people", HTTP_X_JALON_STRUCTURE=header),
                client.get(f"/api/v1/people/{person_b.pk}", HTTP_X_JALON_STRUCTURE=header),
                client.get(f"/api/v1/people/{person_a.pk}", HTTP_X_JALON_STRUCTURE=header),
                client.patch(
                    f"/api/v1/people/{person_b.pk}",
                    data='{"first_name": "Fuite"}',
                    content_type="application/json",
                    HTTP_X_JALON_STRUCTURE=header,
                ),
            )
        ]
    # B exists, 987654 does not: the answers are the same, and they hold nothing of B.
    assert answers[str(personas.structure_b.pk)] == answers["987654"]
    assert {status for status, _ in answers["987654"]} == {403}
    assert all(json.loads(body) == NO_STRUCTURE for _, body in answers["987654"])
    person_b.refresh_from_db()
    assert person_b.first_name != "Fuite"
    assert not AuditEvent.objects.filter(person=person_b).exists()


def test_header_cannot_reach_a_structure_where_the_membership_is_deactivated(personas):
    membership = MembershipFactory(
        structure=personas.structure_b, user=personas.case_worker_a.user, is_active=False
    )
    client = token_client(membership.user)
    response = client.get("/api/v1/people", HTTP_X_JALON_STRUCTURE=str(personas.structure_b.pk))
    assert response.status_code == 403 and response.json() == NO_STRUCTURE


def test_header_chooses_among_the_users_structures(personas, person_a):
    """A member of A and B (current structure A) reaches B's files only by asking for B."""
    both = MembershipFactory(structure=personas.structure_a, role=Role.CASE_WORKER)
    MembershipFactory(structure=personas.structure_b, role=Role.READ_ONLY, user=both.user)
    both.user.current_structure = personas.structure_a
    both.user.save()
    person_b = PersonFactory(structure=personas.structure_b)
    client = token_client(both.user)
    b = str(personas.structure_b.pk)

    assert [p["id"] for p in client.get("/api/v1/people").json()["items"]] == [person_a.pk]
    assert client.get(f"/api/v1/people/{person_b.pk}").status_code == 404
    assert [p["id"] for p in client.get("/api/v1/people", HTTP_X_JALON_STRUCTURE=b).json()["items"]] == [
        person_b.pk
    ]
    assert client.get(f"/api/v1/people/{person_a.pk}", HTTP_X_JALON_STRUCTURE=b).status_code == 404
    assert client.get(f"/api/v1/people/{person_b.pk}", HTTP_X_JALON_STRUCTURE=b).status_code == 200
    read = AuditEvent.objects.get(person=person_b, action=Action.READ)
    assert (read.structure, read.actor, read.via) == (personas.structure_b, both.user, "api")
    # In B the user is read-only: the header brings B's role, not A's.
    response = client.patch(
        f"/api/v1/people/{person_b.pk}",
        data='{"first_name": "Fuite"}',
        content_type="application/json",
        HTTP_X_JALON_STRUCTURE=b,
    )
    assert response.status_code == 403
    # A header that is not an id falls back to the current structure.
    listed = client.get("/api/v1/people", HTTP_X_JALON_STRUCTURE="B").json()["items"]
    assert [p["id"] for p in listed] == [person_a.pk]
    current = {
        s["id"]: s["current"] for s in client.get("/api/v1/structures", HTTP_X_JALON_STRUCTURE=b).json()
    }
    assert current == {personas.structure_a.pk: False, personas.structure_b.pk: True}

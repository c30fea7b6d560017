"""API people: scoping, sharing, audit, duplicates and bad input (each write or nothing)."""

import json

import pytest
from django.db.models import Count, Max
from django.test import Client

from jalon.audit.models import Action, AuditEvent
from jalon.people import actions
from jalon.people.models import Consent, ConsentMethod, ConsentPurpose, Person, PersonEvent
from jalon.users.models import ApiToken

from ..factories import PersonFactory

pytestmark = pytest.mark.django_db
NOT_FOUND = {"detail": "Introuvable."}
PAYLOAD = {"first_name": "Élise", "last_name": "Durand", "phone": "06 12 34 56 78", "consent_method": "oral"}


def token_client(membership_or_user):
    user = getattr(membership_or_user, "user", membership_or_user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='test')[1]}")


def create(client, payload):
    return client.post("/api/v1/people", data=json.dumps(payload), content_type="application/json")


def patch(client, pk, payload):
    return client.patch(f"/api/v1/people/{pk}", data=json.dumps(payload), content_type="application/json")


def database():
    """What a refused request must leave as it was (read audit rows aside)."""
    return (
        Person.objects.aggregate(n=Count("pk"), changed=Max("updated_at")),
        Consent.objects.count(),
        PersonEvent.objects.count(),
        AuditEvent.objects.exclude(action=Action.READ).count(),
    )


def share(personas, person, *, withdraw=False):
    b, worker = personas.structure_b, personas.case_worker_b.user
    consent = actions.give_consent(
        person=person,
        structure=b,
        actor=worker,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.PAPER,
        target_structure=personas.structure_a,
    )
    if withdraw:
        actions.withdraw_consent(consent=consent, structure=b, actor=worker)
    return person


@pytest.fixture
def files_of_b(personas):
    b = personas.structure_b
    return {
        "other": PersonFactory(structure=b, last_name="Autre"),
        "shared": share(personas, PersonFactory(structure=b, last_name="Partagé")),
        "withdrawn": share(personas, PersonFactory(structure=b, last_name="Retiré"), withdraw=True),
    }


# --- list --------------------------------------------------------------------------------------


def test_list_holds_own_files_and_shared_ones_only_when_asked(personas, person_a, files_of_b):
    client = token_client(personas.trainer_a)
    own = client.get("/api/v1/people").json()
    assert [p["id"] for p in own["items"]] == [person_a.pk] and own["suivant"] is None
    shared = client.get("/api/v1/people?scope=shared").json()
    assert [p["id"] for p in shared["items"]] == [files_of_b["shared"].pk]
    assert client.get("/api/v1/people?q=autre").json()["items"] == []
    assert client.get("/api/v1/people?q=retire&scope=shared").json()["items"] == []


def test_list_walks_every_file_once_with_the_cursor(personas):
    client = token_client(personas.case_worker_a)
    expected = {PersonFactory(structure=personas.structure_a).pk for _ in range(7)}
    seen, cursor, pages = [], "", 0
    while True:
        page = client.get(f"/api/v1/people?taille=3&apres={cursor}").json()
        seen += [p["id"] for p in page["items"]]
        pages += 1
        if not page["suivant"]:
            break
        cursor = page["suivant"]
    assert sorted(seen) == sorted(expected) and pages == 3


def test_user_without_structure_gets_403_on_the_list(personas):
    response = token_client(personas.outsider).get("/api/v1/people")
    assert response.status_code == 403 and response.json() == {
        "detail": "Aucune structure active pour ce compte."
    }


# --- get ---------------------------------------------------------------------------------------


def test_get_is_audited_with_via_api(personas, person_a):
    client = token_client(personas.case_worker_a)
    response = client.get(f"/api/v1/people/{person_a.pk}")
    assert response.status_code == 200 and response.json()["id"] == person_a.pk
    event = AuditEvent.objects.get(action=Action.READ, person=person_a)
    assert (event.via, event.actor, event.structure) == (
        "api",
        personas.case_worker_a.user,
        personas.structure_a,
    )
    assert (event.object_type, event.object_id) == ("person", str(person_a.pk))


def test_shared_file_is_readable_and_the_read_is_audited_for_the_reader(personas, files_of_b):
    shared = files_of_b["shared"]
    response = token_client(personas.read_only_a).get(f"/api/v1/people/{shared.pk}")
    assert response.status_code == 200 and response.json()["structure_id"] == personas.structure_b.pk
    event = AuditEvent.objects.get(action=Action.READ, person=shared)
    assert (event.structure, event.via) == (personas.structure_a, "api")


@pytest.mark.parametrize("situation", ["other", "withdrawn"])
def test_other_structures_files_look_missing(personas, files_of_b, situation):
    client = token_client(personas.admin_a)
    response = client.get(f"/api/v1/people/{files_of_b[situation].pk}")
    missing = client.get("/api/v1/people/987654")
    assert (
        (response.status_code, response.json()) == (missing.status_code, missing.json()) == (404, NOT_FOUND)
    )
    assert not AuditEvent.objects.filter(action=Action.READ).exists()


# --- patch -------------------------------------------------------------------------------------


def test_patch_changes_the_file_and_is_audited(personas, person_a):
    response = patch(
        token_client(personas.coordinator_a), person_a.pk, {"rsa": True, "email": "E@Example.org"}
    )
    assert response.status_code == 200 and response.json()["rsa"] is True
    person_a.refresh_from_db()
    assert person_a.rsa is True
    event = AuditEvent.objects.get(action=Action.UPDATE, person=person_a)
    assert event.via == "api" and set(event.fields) == {"rsa", "email"}
    assert PersonEvent.objects.filter(person=person_a, kind="updated").exists()


@pytest.mark.parametrize("situation", ["shared", "other", "withdrawn"])
def test_patch_of_another_structures_file_is_404_and_writes_nothing(personas, files_of_b, situation):
    client = token_client(personas.admin_a)
    person = files_of_b[situation]
    before = database()
    response = patch(client, person.pk, {"first_name": "Fuite"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert patch(client, 987654, {"first_name": "Fuite"}).json() == NOT_FOUND
    assert database() == before
    person.refresh_from_db()
    assert person.first_name != "Fuite"


@pytest.mark.parametrize("role", ["trainer_a", "read_only_a"])
def test_roles_without_edit_right_cannot_patch_or_create(personas, person_a, role):
    client = token_client(getattr(personas, role))
    before = database()
    assert patch(client, person_a.pk, {"first_name": "Fuite"}).status_code == 403
    assert create(client, PAYLOAD).status_code == 403
    assert database() == before


# --- create, duplicates ------------------------------------------------------------------------


def test_create_records_the_file_its_consent_and_the_audit(personas):
    client = token_client(personas.case_worker_a)
    response = create(client, {**PAYLOAD, "consent_method": "papier"})
    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.structure, person.referent) == (personas.structure_a, personas.case_worker_a.user)
    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.method, consent.withdrawn_at) == (
        ConsentPurpose.ACCOMPANIMENT,
        "papier",
        None,
    )
    assert AuditEvent.objects.get(action=Action.CREATE, person=person).via == "api"


def test_duplicate_gives_409_and_writes_nothing(personas, person_a):
    client = token_client(personas.case_worker_a)
    before = database()
    response = create(client, {**PAYLOAD, "phone": person_a.phone})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Un dossier semblable existe déjà dans la structure.",
        "existing_ids": [person_a.pk],
    }
    assert database() == before
    assert create(client, {**PAYLOAD, "phone": person_a.phone, "force": True}).status_code == 201


def test_a_file_of_another_structure_is_no_duplicate_and_its_id_is_not_given(personas):
    theirs = PersonFactory(structure=personas.structure_b, phone="+33612345678")
    response = create(token_client(personas.case_worker_a), PAYLOAD)
    assert response.status_code == 201
    assert str(theirs.pk) not in json.dumps(response.json().get("existing_ids", []))


# --- bad input ---------------------------------------------------------------------------------

INVALID = "Données invalides."


@pytest.mark.parametrize(
    "change, detail",
    [
        ({"consent_method": None}, INVALID),
        ({"consent_method": "par pigeon"}, INVALID),
        ({"first_name": ""}, INVALID),
        ({"birth_date": "2090-01-01"}, INVALID),
        ({"email": "pas-une-adresse"}, INVALID),
        ({"gender": "Z"}, INVALID),
        ({"phone": "12"}, "Ce numéro de téléphone n'est pas valide."),
        ({"commune": "99999"}, "Code commune INSEE inconnu : 99999."),
        ({"phone": None}, "Indiquez au moins un téléphone ou un e-mail."),
        ({"referent_id": "b"}, "Le ou la référent·e doit être membre de la structure."),
    ],
)
def test_bad_input_on_create_is_422_in_french_and_writes_nothing(personas, change, detail):
    if change.get("referent_id") == "b":
        change = {"referent_id": personas.case_worker_b.user.pk}
    payload = {k: v for k, v in {**PAYLOAD, **change}.items() if v is not None}
    before = database()
    response = create(token_client(personas.case_worker_a), payload)
    assert response.status_code == 422
    assert response.json()["detail"] == detail
    assert database() == before
    if "birth_date" in change:
        assert "La date de naissance n'est pas plausible." in json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize(
    "change, detail",
    [
        ({"phone": "12"}, "Ce numéro de téléphone n'est pas valide."),
        ({"commune": "99999"}, "Code commune INSEE inconnu : 99999."),
        ({"referent_id": "b"}, "Le ou la référent·e doit être membre de la structure."),
        ({"birth_date": "1850-01-01"}, INVALID),
        ({"preferred_channel": "pigeon"}, INVALID),
    ],
)
def test_bad_input_on_patch_is_422_in_french_and_writes_nothing(personas, person_a, change, detail):
    if change.get("referent_id") == "b":
        change = {"referent_id": personas.case_worker_b.user.pk}
    before = database()
    response = patch(token_client(personas.case_worker_a), person_a.pk, {"rsa": True, **change})
    assert response.status_code == 422 and response.json()["detail"] == detail
    assert database() == before


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_null_name_on_patch_is_422(personas, person_a, field):
    client = token_client(personas.case_worker_a)
    client.raise_request_exception = False
    response = patch(client, person_a.pk, {field: None})
    assert response.status_code == 422


def test_patch_cannot_remove_the_last_way_to_reach_the_person(personas, person_a):
    assert person_a.phone and not person_a.email
    response = patch(token_client(personas.case_worker_a), person_a.pk, {"phone": None})
    assert response.status_code == 422


def test_unparsable_body_gets_a_french_message(personas, person_a):
    client = token_client(personas.case_worker_a)
    before = database()
    response = client.post("/api/v1/people", data="{pas du json", content_type="application/json")
    assert database() == before
    assert response.status_code in {400, 422} and response.json()["detail"] != "Cannot parse request body"

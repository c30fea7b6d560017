"""The duplicate check of person files holds under concurrency (API and page share one action)."""

import json
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from jalon.people.models import Person
from jalon.users.models import ApiToken

PAYLOAD = {"first_name": "Élise", "last_name": "Durand", "phone": "06 12 34 56 78", "consent_method": "oral"}


def _race(clients, payloads, send):
    barrier, statuses = threading.Barrier(len(clients)), []

    def attempt(client, payload):
        try:
            barrier.wait()
            statuses.append(send(client, payload))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, payloads, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def _api_post(client, payload):
    response = client.post("/api/v1/people", data=json.dumps(payload), content_type="application/json")
    return response.status_code


@pytest.mark.django_db(transaction=True)
def test_five_identical_api_posts_at_once_create_one_file(personas):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions): the race needs PostgreSQL")
    clients = []
    for _ in range(5):
        _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="course")
        clients.append(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"))
    statuses = _race(clients, [PAYLOAD] * 5, _api_post)
    assert statuses == [201, 409, 409, 409, 409]
    assert Person.objects.filter(structure=personas.structure_a).count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_person_by_name_and_birth_date_or_by_phone_is_one_file(personas):
    """Each criterion of the duplicate check is locked: same name and birth date with different
    phones, then a different name with the same phone."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions): the race needs PostgreSQL")
    same_name = {
        "first_name": "Élise",
        "last_name": "DURAND",
        "birth_date": "1990-05-04",
        "consent_method": "oral",
    }
    payloads = [
        {**same_name, "phone": "06 12 34 56 78"},
        {**same_name, "first_name": "elise", "email": "elise@example.org"},
        {**same_name, "phone": "07 12 34 56 78"},
        {"first_name": "Lise", "last_name": "Martin", "phone": "06 12 34 56 78", "consent_method": "oral"},
    ]
    clients = []
    for _ in payloads:
        _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="course")
        clients.append(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"))
    statuses = _race(clients, payloads, _api_post)
    created = Person.objects.filter(structure=personas.structure_a).count()
    # Whichever wins, every other request is a duplicate of a file created before it, except
    # that "Lise Martin" and a same-name file with the 07 number share neither key.
    assert statuses.count(201) == created
    assert created <= 2
    assert 201 in statuses and 409 in statuses


def _page_post(client, payload):
    response = client.post("/personnes/nouvelle/", payload)
    return response.status_code


@pytest.mark.django_db(transaction=True)
def test_five_identical_page_posts_at_once_create_one_file(personas):
    """The page form creates through the same action: one file, four forms shown again with it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions): the race needs PostgreSQL")
    clients = [personas.client_for(personas.case_worker_a) for _ in range(5)]
    statuses = _race(clients, [{**PAYLOAD, "accompaniment_consent": "on"}] * 5, _page_post)
    assert statuses == [200, 200, 200, 200, 302]
    assert Person.objects.filter(structure=personas.structure_a).count() == 1

"""A recent login is asked again before sensitive notes, API tokens and exports."""

import time

import pytest

from jalon.audit.models import Action, AuditEvent
from jalon.users.models import ApiToken

from ..conftest import PASSWORD, mark_recent_login

pytestmark = pytest.mark.django_db
REAUTH = "/comptes/reauthenticate/"


def stale_client(personas, membership):
    client = personas.client_for(membership)
    mark_recent_login(client, membership.user, at=time.time() - 11 * 60)
    return client


def test_sensitive_notes_ask_for_the_password_again_after_ten_minutes(personas, person_a):
    client = stale_client(personas, personas.case_worker_a)
    url = f"/personnes/{person_a.pk}/sensible/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert not AuditEvent.objects.filter(action=Action.READ_SENSITIVE).exists()
    back = client.post(response["Location"], {"password": PASSWORD})
    assert back.status_code == 302 and back["Location"] == url
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action=Action.READ_SENSITIVE, person=person_a).exists()


def test_a_fresh_login_counts(personas, person_a):
    client = personas.client_for(personas.case_worker_a)
    assert client.get(f"/personnes/{person_a.pk}/sensible/").status_code == 200


def test_who_may_not_read_gets_404_not_a_password_prompt(personas, person_a):
    client = stale_client(personas, personas.case_worker_b)
    assert client.get(f"/personnes/{person_a.pk}/sensible/").status_code == 404


def test_token_creation_asks_again_and_resumes_the_form(personas):
    client = stale_client(personas, personas.case_worker_a)
    form = {"name": "tableur", "scope": "read", "lifetime": "90"}
    response = client.post("/compte/jetons/", form)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert not ApiToken.objects.exists()
    resumed = client.post(response["Location"], {"password": PASSWORD})
    # allauth replays the suspended submission once the password is confirmed.
    assert resumed.status_code == 200
    assert ApiToken.objects.filter(user=personas.case_worker_a.user, name="tableur").count() == 1


def test_exports_ask_again(personas):
    client = stale_client(personas, personas.coordinator_a)
    response = client.get("/indicateurs/export.csv")
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    fresh = personas.client_for(personas.coordinator_a)
    assert fresh.get("/indicateurs/export.csv").status_code == 200


def test_wrong_password_on_reauthentication_changes_nothing(personas, person_a):
    client = stale_client(personas, personas.case_worker_a)
    response = client.get(f"/personnes/{person_a.pk}/sensible/")
    again = client.post(response["Location"], {"password": "pas-le-bon"})
    assert again.status_code == 200
    assert client.get(f"/personnes/{person_a.pk}/sensible/").status_code == 302

"""API tokens: lifetime, read or read-and-write rights, and the account page's list."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jalon.users.models import ApiToken, TokenScope

pytestmark = pytest.mark.django_db
READ_ONLY = {"detail": "Ce jeton est en lecture seule : il ne permet pas de modifier des données."}


def bearer(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_read_only_token_reads_but_every_write_gets_403_in_french(personas, person_a):
    _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="t", scope=TokenScope.READ)
    api = bearer(raw)
    assert api.get(f"/api/v1/people/{person_a.pk}").status_code == 200
    before = person_a.first_name
    response = api.patch(
        f"/api/v1/people/{person_a.pk}", data={"first_name": "Autre"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json() == READ_ONLY
    person_a.refresh_from_db()
    assert person_a.first_name == before
    created = api.post("/api/v1/people", data={}, content_type="application/json")
    assert created.status_code == 403 and created.json() == READ_ONLY


def test_read_write_token_writes(personas, person_a):
    _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="t", scope=TokenScope.READ_WRITE)
    response = bearer(raw).patch(
        f"/api/v1/people/{person_a.pk}", data={"first_name": "Autre"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_expired_token_gets_401(personas):
    token, raw = ApiToken.issue(user=personas.case_worker_a.user, name="t", lifetime=timedelta(days=30))
    assert bearer(raw).get("/api/v1/structures").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(raw).get("/api/v1/structures").status_code == 401


def test_lifetime_is_at_most_a_year():
    with pytest.raises(ValueError):
        ApiToken.issue(user=None, name="t", lifetime=timedelta(days=366))


def test_account_page_creates_a_read_only_90_day_token_by_default(personas):
    client = personas.client_for(personas.case_worker_a)
    page = client.get("/compte/").content.decode()
    assert 'value="read" checked' in page or 'checked value="read"' in page or "checked" in page
    response = client.post("/compte/", {"name": "tableau de bord", "scope": "read", "lifetime": "90"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=personas.case_worker_a.user)
    assert token.scope == TokenScope.READ
    assert abs((token.expires_at - token.created_at) - timedelta(days=90)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "x", "scope": "read", "lifetime": "400"}, "Choisissez une durée de 30 jours à 1 an."),
        (
            {"name": "x", "scope": "admin", "lifetime": "90"},
            "Choisissez « Lecture seule » ou « Lecture et écriture ».",
        ),
    ],
)
def test_bad_token_form_says_why_and_creates_nothing(personas, data, message):
    response = personas.client_for(personas.case_worker_a).post("/compte/jetons/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_list_shows_rights_expiry_and_last_use(personas):
    user = personas.case_worker_a.user
    used, raw = ApiToken.issue(user=user, name="utilisé", scope=TokenScope.READ)
    ApiToken.issue(user=user, name="jamais")
    bearer(raw).get("/api/v1/structures")
    page = personas.client_for(user).get("/compte/jetons/").content.decode()
    used.refresh_from_db()
    assert f"dernière utilisation le {timezone.localtime(used.last_used_at):%d/%m/%Y à %H:%M}" in page
    assert "jamais utilisé" in page
    assert f"expire le {timezone.localtime(used.expires_at):%d/%m/%Y}" in page
    assert "lecture seule" in page and "lecture et écriture" in page

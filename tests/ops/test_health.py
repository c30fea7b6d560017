"""Liveness and readiness probes: plain HTTP, no login, no cookie, no cache, no personal data."""

import pytest
from django.test import Client, override_settings

from jalon.ops import health

NO_STORE = "no-store"


def plain_client(**extra) -> Client:
    # A fresh client builds a fresh middleware chain, so SecurityMiddleware sees the override.
    return Client(**extra)


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_answers_over_plain_http_without_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = plain_client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert NO_STORE in response["Cache-Control"]
    assert not response.cookies


@override_settings(SECURE_SSL_REDIRECT=True)
def test_other_pages_still_redirect_to_https(db):
    assert plain_client().get("/comptes/login/").status_code == 301


@override_settings(SECURE_SSL_REDIRECT=True)
def test_readyz_names_each_check_over_plain_http(db, django_assert_max_num_queries):
    health._migrations_ok = False
    with django_assert_max_num_queries(6):
        response = plain_client().get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "jobs", "jobs_lag", "migrations"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["jobs"]["pending"] >= 0
    assert body["checks"]["migrations"] == {"status": "ok"}
    assert NO_STORE in response["Cache-Control"]
    assert not response.cookies


def test_readyz_second_call_does_not_read_migrations_again(db, django_assert_max_num_queries):
    plain_client().get("/readyz")
    with django_assert_max_num_queries(1):
        assert plain_client().get("/readyz").status_code == 200


def test_readyz_is_503_when_the_job_queue_fails(db, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def broken():
        raise ConnectionError("file de tâches injoignable sur redis://secret@host")

    monkeypatch.setattr(HUEY.storage, "queue_size", broken)
    response = plain_client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "erreur"
    assert response.json()["checks"]["jobs"] == {"status": "erreur"}
    assert response.json()["checks"]["database"] == {"status": "ok"}
    # The exception's text (hosts, credentials) is never shown.
    assert "secret" not in response.content.decode()


def test_readyz_is_503_when_the_cache_fails(db, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    response = plain_client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"status": "erreur"}


def test_readyz_is_503_while_migrations_are_not_applied(db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    health._migrations_ok = False
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("people", False)])
    response = plain_client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"status": "erreur", "unapplied": 1}


def test_readyz_reports_a_late_queue_without_failing(db, settings):
    settings.JOBS_MAX_LAG_SECONDS = 60
    import time

    from huey.contrib.djhuey import HUEY

    HUEY.put(health.HEARTBEAT_KEY, time.time() - 3600)
    try:
        response = plain_client().get("/readyz")
    finally:
        HUEY.get(health.HEARTBEAT_KEY)  # reads and removes
    assert response.status_code == 200
    lag = response.json()["checks"]["jobs_lag"]
    assert lag["status"] == "retard"
    assert 3590 <= lag["seconds"] <= 3700


def test_heartbeat_job_records_the_consumer_lag(db):
    from huey.contrib.djhuey import HUEY

    from jalon.ops.tasks import heartbeat_task

    heartbeat_task.call_local()
    try:
        assert health.check_jobs_lag()["status"] == "ok"
        assert health.check_jobs_lag()["seconds"] < 5
    finally:
        HUEY.get(health.HEARTBEAT_KEY)


def test_readyz_is_hidden_outside_the_allowed_networks(db):
    response = plain_client(REMOTE_ADDR="203.0.113.7").get("/readyz")
    assert response.status_code == 404
    assert "database" not in response.content.decode()


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.4", "172.20.0.1", "::1"])
def test_readyz_answers_private_networks(db, address):
    assert plain_client(REMOTE_ADDR=address).get("/readyz").status_code == 200


def test_allowed_networks_can_be_narrowed(db, settings):
    settings.HEALTH_ALLOWED_NETWORKS = ["10.0.0.0/24"]
    assert plain_client(REMOTE_ADDR="10.0.0.9").get("/readyz").status_code == 200
    assert plain_client(REMOTE_ADDR="127.0.0.1").get("/readyz").status_code == 404


def test_a_bad_network_in_the_setting_fails_at_start():
    from jalon.ops.network import parse_networks

    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/8,pas-un-reseau")


def test_probes_need_no_login_and_set_no_session(personas):
    client = plain_client()
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies

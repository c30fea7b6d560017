"""Redis down (issue 13 §3): login and pages keep working with a notice, committed writes answer
success, and nothing waiting in the outbox is lost. Redis is a closed loopback port here; the
recovery test starts its own redis-server on a free port."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from jalon import settings as production_settings
from jalon.notifications import actions as outbox
from jalon.notifications.models import MessageStatus, OutboxMessage
from jalon.ops import health, resilience
from jalon.referrals.models import Referral

from ..conftest import PASSWORD

NOTICE = "Service ralenti."


def _free_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _use_redis(settings, monkeypatch, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "jalon.ops.resilience.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Jobs are queued for real (tests run them inline otherwise), into this Redis.
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(
        HUEY, "storage", RedisStorage(name="jalon-test", url=url + "?socket_connect_timeout=1")
    )


@pytest.fixture
def redis_down(settings, monkeypatch):
    _use_redis(settings, monkeypatch, f"redis://127.0.0.1:{_free_port()}/0")
    # The login throttle of production: it counts in the cache.
    settings.ACCOUNT_RATE_LIMITS = production_settings.ACCOUNT_RATE_LIMITS
    resilience.state.reset()
    yield
    resilience.state.reset()


@pytest.mark.django_db
def test_login_works_and_pages_say_the_service_is_degraded(redis_down, personas, caplog):
    client = Client()
    assert client.get(reverse("account_login")).status_code == 200
    with caplog.at_level(logging.WARNING, logger="jalon.ops.resilience"):
        wrong = client.post(reverse("account_login"), {"login": "cip.a@example.org", "password": "faux"})
        assert wrong.status_code == 200 and NOTICE in wrong.content.decode()
        response = client.post(reverse("account_login"), {"login": "cip.a@example.org", "password": PASSWORD})
        assert response.status_code == 302
        home = client.get(response["Location"], follow=True)
    assert home.status_code == 200 and home.wsgi_request.user == personas.case_worker_a.user
    page = home.content.decode()
    assert NOTICE in page and "bien gardé" in page
    # One warning for the outage, not one per cache call; no traceback.
    warnings = [r for r in caplog.records if r.name == "jalon.ops.resilience"]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "unreachable" in warnings[0].getMessage()


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_answers_success_and_its_message_is_sent_later(redis_down, personas):
    structure = personas.structure_a
    structure.email = "accueil.a@example.org"
    structure.save(update_fields=["email"])
    client = personas.client_for(personas.case_worker_a)
    # Queuing the roll-up and the facilitator's e-mail fails after the commit: no 500.
    response = client.post(
        reverse("referral_create"),
        {"first_name": "Awa", "phone": "06 12 34 56 78", "contact_consent": "on", "needs": ["emploi"]},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "referral_detail", args=[referral.pk]
    )
    assert resilience.state.degraded()
    message = OutboxMessage.objects.get(to="accueil.a@example.org")
    assert message.status == MessageStatus.QUEUED and not mail.outbox
    # Redis back, the consumer's minute job sends what waited: nothing lost.
    assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and len(mail.outbox) == 1


def test_the_cache_falls_back_to_memory_without_calling_redis_at_each_request(redis_down, monkeypatch):
    calls = []
    real_get = RedisCacheClient.get

    def counting_get(self, key, default):
        calls.append(key)
        return real_get(self, key, default)

    monkeypatch.setattr(RedisCacheClient, "get", counting_get)
    started = time.monotonic()
    cache.set("compteur", 1)
    assert cache.incr("compteur") == 2
    for _ in range(20):
        assert cache.get("compteur") == 2
    assert time.monotonic() - started < 5
    # The first call found Redis down; the next ones wait for the backoff before trying again.
    assert len(calls) == 0 or len(calls) == 1
    assert resilience.state.degraded()
    # The readiness probe looks past the fallback: this process is not ready to say Redis works.
    with pytest.raises(Exception):  # noqa: B017 — redis' ConnectionError; readiness turns it into "erreur"
        health.check_cache()


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server n'est pas installé")
def test_the_notice_goes_when_redis_is_back(settings, monkeypatch, tmp_path, personas):
    port = _free_port()
    _use_redis(settings, monkeypatch, f"redis://127.0.0.1:{port}/0")
    resilience.state.reset()
    client = personas.client_for(personas.case_worker_a)
    cache.set("avant", "1")  # Redis not started yet: down
    assert NOTICE in client.get(reverse("home")).content.decode()

    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        resilience.state.cache_retry_at = 0  # the backoff's pause is over
        cache.set("après", "1")
        assert cache.strict.get("après") == "1"  # written to Redis itself
        assert not resilience.state.degraded()
        assert NOTICE not in client.get(reverse("home")).content.decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
    resilience.state.reset()

"""Failure tests (issue 13 §4): a provider down loses nothing, a worker killed mid-run sends no
duplicate, and a restarted database is reached again without restarting the application.

The database test starts its own throw-away PostgreSQL cluster on a free loopback port (never
the machine's server, which other processes use) and stops it at the end.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.signals import request_finished, request_started
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from jalon.notifications import actions
from jalon.notifications.models import MessageChannel, MessageStatus, OutboxMessage
from jalon.notifications.sms import LocmemBackend, SmsError


@pytest.fixture(autouse=True)
def clear_sms():
    LocmemBackend.outbox.clear()
    yield
    LocmemBackend.outbox.clear()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DownSms:
    def send(self, *, to, body):
        raise SmsError("fournisseur injoignable")


def _due_now():
    OutboxMessage.objects.update(next_attempt_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_providers_down_keep_every_message_and_send_each_once_when_back(settings):
    # A real SMTP connection to a closed loopback port, and an SMS provider that refuses.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    settings.SMS_BACKEND = "tests.ops.test_failures.DownSms"
    for number in range(3):
        actions.enqueue(
            channel=MessageChannel.EMAIL, to=f"p{number}@example.org", subject="Rappel", body="Demain 9 h"
        )
        actions.enqueue(channel=MessageChannel.SMS, to=f"+3361234567{number}", body="Demain 9 h")
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.RETRYING}
    # Each waits for its backoff before the next try.
    assert all(m.next_attempt_at > timezone.now() for m in OutboxMessage.objects.all())
    assert actions.deliver_due() == 0
    _due_now()
    assert actions.deliver_due() == 6  # still down: tried again, kept again
    assert OutboxMessage.objects.filter(status=MessageStatus.RETRYING, attempts=2).count() == 6

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "jalon.notifications.sms.LocmemBackend"
    _due_now()
    assert actions.deliver_due() == 6
    _due_now()
    assert actions.deliver_due() == 0
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 6
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    assert len(LocmemBackend.outbox) == 3


class Killed(BaseException):
    """What a SIGKILL does to the worker: no handler runs, the status is never written."""


class KilledDuringSend:
    def send(self, *, to, body):
        raise Killed


class SlowProvider:
    """While it sends, the consumer's minute job runs in another worker (called here, same effect)."""

    def send(self, *, to, body):
        assert actions.deliver_due() == 0
        LocmemBackend.outbox.append({"to": to, "body": body})
        return "lent"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_gives_the_message_back_once_and_never_twice():
    with override_settings(SMS_BACKEND="tests.ops.test_failures.KilledDuringSend"), pytest.raises(Killed):
        actions.enqueue(channel=MessageChannel.SMS, to="+33612345678", body="Rappel")
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.SENDING and message.attempts == 1
    # The minute job does not take a message another worker may still be sending.
    assert actions.deliver_due() == 0 and actions.deliver(message.pk) == MessageStatus.SENDING
    # Silent for longer than STUCK_AFTER: its worker is dead, the message goes back to the queue.
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - actions.STUCK_AFTER - timedelta(seconds=1))
    assert actions.deliver_due() == 1
    assert actions.deliver_due() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert LocmemBackend.outbox == [{"to": "+33612345678", "body": "Rappel"}]


@pytest.mark.django_db(transaction=True)
def test_a_message_that_waited_long_is_not_taken_back_while_it_is_being_sent(settings):
    # Queued while the consumer was stopped for an hour: due long ago when a worker takes it.
    settings.SMS_BACKEND = "jalon.notifications.sms.DisabledBackend"
    message = actions.enqueue(channel=MessageChannel.SMS, to="+33612345678", body="Rappel")
    OutboxMessage.objects.update(
        status=MessageStatus.QUEUED, attempts=0, next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    settings.SMS_BACKEND = "tests.ops.test_failures.SlowProvider"
    assert actions.deliver(message.pk) == MessageStatus.SENT
    assert len(LocmemBackend.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_every_attempt_of_an_email_carries_the_same_message_id():
    # The one window left: a worker killed after the provider accepted, before the outbox knew.
    # Both copies then carry one Message-ID, which mail clients fold into one message.
    message = actions.enqueue(
        channel=MessageChannel.EMAIL, to="p@example.org", subject="Rappel", body="Demain"
    )
    OutboxMessage.objects.update(status=MessageStatus.RETRYING, next_attempt_at=timezone.now())
    actions.deliver(message.pk)
    first, second = (sent.extra_headers["Message-ID"] for sent in mail.outbox)
    assert first == second == f"<outbox-{message.pk}.{message.created_at:%Y%m%d%H%M%S%f}@jalon.localhost>"
    assert "p@example.org" not in first


class HangingSms:
    """A provider that never answers: the worker is killed while it waits."""

    def send(self, *, to, body):
        Path(os.environ["JALON_TEST_MARKER"]).write_text("envoi en cours")
        time.sleep(60)
        return "jamais"


def _database_url(params: dict) -> str:
    """The test database, for another process (password and host only when set)."""
    credentials = params["USER"] + (f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else "")
    location = (params.get("HOST") or "") + (f":{params['PORT']}" if params.get("PORT") else "")
    return f"postgres://{credentials}@{location}/{params['NAME']}"


WORKER = """
import django
django.setup()
from django.conf import settings
settings.SMS_BACKEND = "tests.ops.test_failures.HangingSms"
from jalon.notifications import actions
actions.deliver(int(__import__("sys").argv[1]))
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_with_sigkill_mid_send_sends_no_duplicate(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("la base de test SQLite est en mémoire : un autre processus ne la voit pas")
    settings.SMS_BACKEND = "jalon.notifications.sms.DisabledBackend"
    message = actions.enqueue(channel=MessageChannel.SMS, to="+33612345678", body="Rappel")
    OutboxMessage.objects.update(status=MessageStatus.QUEUED, attempts=0, next_attempt_at=timezone.now())
    marker = tmp_path / "marker"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jalon.settings_test",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "JALON_TEST_MARKER": str(marker),
        "PYTHONPATH": str(Path(django_settings.BASE_DIR)),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(message.pk)], env=env, cwd=django_settings.BASE_DIR
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert worker.poll() is None and time.monotonic() < deadline, "the worker did not start sending"
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and message.attempts == 1
    settings.SMS_BACKEND = "jalon.notifications.sms.LocmemBackend"
    assert actions.deliver_due() == 0  # maybe still sending: left alone
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - actions.STUCK_AFTER - timedelta(seconds=1))
    assert actions.deliver_due() == 1
    assert actions.deliver_due() == 0
    assert LocmemBackend.outbox == [{"to": "+33612345678", "body": "Rappel"}]


# --- Database restarted --------------------------------------------------------------------------


def _pg_bin(name: str) -> str | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else shutil.which(name)


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def throwaway_postgres():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("initdb / pg_ctl absents : pas de serveur PostgreSQL jetable possible ici")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("initdb refuse de tourner en root et runuser est absent")
    folder = Path(tempfile.mkdtemp(prefix="jalon-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    result = _as_postgres(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    assert result.returncode == 0, result.stderr
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def ctl(action: str, *extra: str):
        outcome = _as_postgres(
            pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", *extra, action
        )
        assert outcome.returncode == 0, outcome.stderr
        return outcome

    ctl("start")
    try:
        yield port, ctl
    finally:
        _as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_the_application_reaches_a_restarted_database_without_being_restarted(
    throwaway_postgres, django_db_blocker
):
    port, ctl = throwaway_postgres
    # The production settings' connection options (jalon/settings.py), pointed at our cluster.
    assert django_settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    database = dj_database_url.parse(
        f"postgres://postgres@127.0.0.1:{port}/postgres", conn_max_age=60, conn_health_checks=True
    )
    alias = "restarted"
    connections.settings[alias] = {**connections.settings["default"], "OPTIONS": {}, **database, "TEST": {}}
    try:
        with django_db_blocker.unblock():

            def request(*statements):
                # What each HTTP request does around the view: close_old_connections on both signals.
                request_started.send(sender=None)
                try:
                    with connections[alias].cursor() as cursor:
                        for sql in statements:
                            cursor.execute(sql)
                        return cursor.fetchone()[0]
                finally:
                    request_finished.send(sender=None)

            request("CREATE TABLE passage (n int)", "INSERT INTO passage VALUES (1)", "SELECT 1")
            before = connections[alias].connection
            assert before is not None  # kept open between requests (CONN_MAX_AGE)

            ctl("restart", "-m", "fast")

            # The very first request after the restart answers: the dead connection is noticed and
            # replaced, without an error page and without restarting the process.
            assert request("SELECT count(*) FROM passage") == 1
            assert connections[alias].connection is not before
            assert request("SELECT 1") == 1
    finally:
        connections[alias].close()
        del connections.settings[alias]
        if hasattr(connections._connections, alias):
            delattr(connections._connections, alias)

"""The job consumer backs off quietly while Redis or the database is unreachable, then recovers."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import MemoryHuey

from jalon.ops import jobs

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_outage_backs_off_and_warns_once_a_minute(caplog):
    clock = FakeClock()
    outage = jobs.Outage("job queue", first_delay=1, max_delay=30, warn_every=60, clock=clock)
    delays = []
    with caplog.at_level(logging.WARNING, logger="huey.consumer"):
        while clock.now < 300:  # five minutes of outage
            delay = outage.failed(ConnectionError("redis://user:motdepasse@10.0.0.3"))
            delays.append(delay)
            clock.now += delay
        outage.recovered()
        outage.recovered()  # already up: nothing more
    assert delays[:6] == [1, 2, 4, 8, 16, 30]
    assert max(delays) == 30
    messages = [r.getMessage() for r in caplog.records]
    unreachable = [m for m in messages if "unreachable" in m]
    assert 5 <= len(unreachable) <= 6  # about one a minute, not one per try
    assert sum("reachable again" in m for m in messages) == 1
    assert all(r.exc_info is None for r in caplog.records)  # no tracebacks
    assert not any("motdepasse" in m for m in messages)
    # After recovery a new outage starts with a short delay again.
    assert outage.failed(ConnectionError()) == 1


class QuietMemoryHuey(jobs.QuietConsumerMixin, MemoryHuey):
    pass


def test_a_job_waits_for_the_database_instead_of_failing(monkeypatch, caplog, settings):
    settings.JOBS_BACKOFF_MAX = 30
    huey = QuietMemoryHuey("test-quiet", immediate=False)
    ran = []

    @huey.task()
    def job():
        ran.append(1)

    job()
    consumer = huey.create_consumer(workers=1, periodic=False)
    worker = consumer.worker_threads[0][0]
    failures = iter([True, True, True, False])

    def database_reachable():
        if next(failures):
            from django.db import OperationalError

            raise OperationalError("connection refused")

    waits = []
    monkeypatch.setattr(jobs, "database_reachable", database_reachable)
    monkeypatch.setattr(worker.stop_flag, "wait", lambda seconds: waits.append(seconds) or False)
    with caplog.at_level(logging.WARNING, logger="huey.consumer"):
        worker.loop()
    assert ran == [1]  # run once the database answered, not lost
    assert waits == [1, 2, 4]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("database unreachable" in m for m in messages) == 1
    assert sum("database reachable again" in m for m in messages) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_lines(process, seconds: float, until: str | None = None) -> list[str]:
    """Lines the process wrote within `seconds` (stops early once `until` is seen)."""
    lines = []
    os.set_blocking(process.stderr.fileno(), False)
    end = time.monotonic() + seconds
    buffer = ""
    while time.monotonic() < end:
        chunk = process.stderr.read()
        if chunk:
            buffer += chunk.decode()
            *done, buffer = buffer.split("\n")
            lines += done
            if until and any(until in line for line in done):
                break
        time.sleep(0.1)
    return lines


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_consumer_is_quiet_while_redis_is_down_and_recovers(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jalon.settings",
        "DEBUG": "1",
        "JALON_VAR_DIR": str(tmp_path),
        "REDIS_URL": f"redis://127.0.0.1:{port}/7",
        "JOBS_BACKOFF_MAX": "1",
        "LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    consumer = subprocess.Popen(
        [sys.executable, "-m", "jalon", "run_huey", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    redis = None
    try:
        # Django's start-up takes a while on a busy machine; count from the consumer's start.
        started = read_lines(consumer, 90, until="consumer started")
        assert any("consumer started" in line for line in started), started
        down = read_lines(consumer, 5)
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        up = read_lines(consumer, 8, until="reachable again")
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            consumer.kill()
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
    import json

    records = [json.loads(line) for line in started + down]  # LOG_FORMAT=json: every line is one object
    warnings = [r for r in records if "unreachable" in r["message"]]
    # Three threads (two workers, the scheduler) polling for five seconds: one warning.
    assert len(warnings) == 1, started + down
    assert len(down) <= 1, down  # five seconds of outage after start-up: at most that warning
    assert not any("Traceback" in line for line in started + down)
    assert len(records) == len({(r["message"], r["time"]) for r in records}), "a line printed twice"
    assert any("reachable again" in line for line in up), up

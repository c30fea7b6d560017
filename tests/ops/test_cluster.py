"""Two web nodes and two job consumers on one PostgreSQL and one Redis, behind HAProxy.

What a national network runs: the test starts the real processes (gunicorn with the production
settings, `jalon run_huey`) on loopback, on the test database, and checks what breaks when state
lives in one process: sessions, rate limits, jobs, and a node that dies mid-traffic.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from jalon.notifications.models import MessageStatus, OutboxMessage
from jalon.referrals import actions, links
from jalon.referrals.models import ReferrerKind

from ..conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("JALON_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/13")

pytestmark = [
    pytest.mark.xdist_group("cluster"),  # one cluster, on one worker's test database
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="several machines share a PostgreSQL server; the SQLite test database lives in memory",
    ),
]


_LOGS: list = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _haproxy() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not found:
        pytest.fail("haproxy is missing: scripts/ensure-haproxy.sh installs Debian's package.")
    return found


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200")


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports = {"a": _free_port(), "b": _free_port(), "lb": _free_port()}
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.ops.cluster_settings",
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,  # links signed here open there
            "JALON_ENCRYPTION_KEYS": os.environ["JALON_ENCRYPTION_KEYS"],
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": REDIS_URL,
            "ALLOWED_HOSTS": "127.0.0.1,jalon.test",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "JALON_MFA_REQUIRED": "0",
            "JALON_VAR_DIR": str(tmp / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "SMS_BACKEND": "jalon.notifications.sms.DisabledBackend",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.mails = tmp / "var" / "mails"

    def start(self, name: str, command: list[str]) -> None:
        log = (self.tmp / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_node(self, name: str) -> None:
        bind = f"127.0.0.1:{self.ports[name]}"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.start(name, [gunicorn, "jalon.wsgi", "--bind", bind, "--workers", "2", "--timeout", "30"])

    def start_consumer(self, name: str) -> None:
        self.start(name, [sys.executable, "-m", "jalon", "run_huey", "--workers", "1"])

    def start_balancer(self) -> None:
        config = self.tmp / "haproxy.cfg"
        config.write_text(
            f"""
global
    maxconn 256
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
frontend web
    bind 127.0.0.1:{self.ports["lb"]}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 300ms fall 1 rise 1
    server a 127.0.0.1:{self.ports["a"]} check
    server b 127.0.0.1:{self.ports["b"]} check
"""
        )
        self.start("lb", [_haproxy(), "-db", "-f", str(config)])

    def up(self) -> None:
        """Start what is not running (a test may have killed a node), then wait for it."""
        if not self.processes:
            redis.Redis.from_url(REDIS_URL).flushdb()  # this test's own Redis database
        for name in ("a", "b"):
            if name not in self.processes:
                self.start_node(name)
        for name in ("jobs-1", "jobs-2"):
            if name not in self.processes:
                self.start_consumer(name)
        if "lb" not in self.processes:
            self.start_balancer()
        for name in ("a", "b", "lb"):
            _wait_for(self.url(name, "/healthz"))

    def url(self, name: str, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def running_cluster(django_db_setup, tmp_path_factory):
    """Started once for the module (each start costs seconds); the tests share it."""
    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    _LOGS[:] = [cluster]
    try:
        cluster.up()
        yield cluster
    finally:
        cluster.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def cluster(transactional_db, running_cluster):
    # Each test starts from an empty cache and queue (rate limits, sessions) and every process up.
    redis.Redis.from_url(REDIS_URL).flushdb()
    running_cluster.up()
    return running_cluster


def _csrf(page: requests.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text) or re.search(
        r'value="([^"]+)" name="csrfmiddlewaretoken"', page.text
    )
    assert found, (page.status_code, page.url, page.text[:300], _LOGS[0].log("a")[-3000:])
    return found.group(1)


def _login(session: requests.Session, base: str, email: str, password: str) -> requests.Response:
    # The public name, as the balancer passes it to every node (allauth keys the per-account
    # limit on the site's domain and the e-mail).
    session.headers["Host"] = "jalon.test"
    form = session.get(f"{base}/comptes/login/", timeout=10)
    token = _csrf(form)
    return session.post(
        f"{base}/comptes/login/",
        data={"csrfmiddlewaretoken": token, "login": email, "password": password},
        headers={"Referer": f"{base}/comptes/login/"},
        timeout=20,
        allow_redirects=False,
    )


@pytest.fixture
def worker(personas):
    # The nodes run the production hashers: give the account a PBKDF2 hash (few rounds: a test).
    user = personas.case_worker_a.user
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8), iterations=2000)
    user.save(update_fields=["password"])
    return user


def test_session_opened_on_one_node_works_on_the_other(cluster, worker):
    browser = requests.Session()
    answer = _login(browser, cluster.url("a", ""), worker.email, PASSWORD)
    assert answer.status_code == 302, cluster.log("a")[-2000:]
    for node in ("a", "b"):
        home = browser.get(cluster.url(node, "/"), timeout=10, allow_redirects=False)
        assert home.status_code == 200 and worker.first_name in home.text, node


def test_failed_logins_are_counted_across_nodes(cluster, worker):
    # 5 failures per account in 5 minutes (ACCOUNT_RATE_LIMITS): spread over two nodes, the sixth
    # attempt is refused — with a per-process cache each node would have seen three.
    for attempt in range(5):
        node = "ab"[attempt % 2]
        answer = _login(requests.Session(), cluster.url(node, ""), worker.email, "pas-le-bon")
        assert answer.status_code == 200 and "Trop" not in answer.text, attempt
    refused = _login(requests.Session(), cluster.url("b", ""), worker.email, PASSWORD)
    assert refused.status_code in (200, 429) and "Trop de tentatives" in refused.text


def test_a_job_runs_once_with_two_consumers(cluster, personas):
    structure = personas.structure_a
    # Created by a case worker, who is then its facilitator: the one told of each new referral.
    referrer = actions.create_referrer(
        structure=structure,
        actor=personas.case_worker_a.user,
        data={"name": "Boulangerie Martin", "kind": ReferrerKind.SHOP},
    )
    path = f"/orienter/{links.referrer_token(referrer)}/"
    visitor = requests.Session()
    for n in range(3):
        form = visitor.get(cluster.url("lb", path), timeout=10)
        token = _csrf(form)
        sent = visitor.post(
            cluster.url("lb", path),
            data={
                "csrfmiddlewaretoken": token,
                "first_name": f"Personne{n}",
                "phone": f"06 12 34 56 7{n}",
                "needs": ["emploi"],
                "contact_consent": "on",
            },
            headers={"Referer": cluster.url("lb", path)},
            timeout=20,
        )
        assert sent.status_code == 200 and "c'est envoyé" in sent.text, sent.text[:500]
    messages = OutboxMessage.objects.filter(purpose="referral_new")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and messages.exclude(status=MessageStatus.SENT).exists():
        time.sleep(0.3)
    assert messages.count() == 3 and not messages.exclude(status=MessageStatus.SENT).exists(), (
        cluster.log("jobs-1")[-1500:] + cluster.log("jobs-2")[-1500:]
    )
    time.sleep(1)  # a second consumer that also took a job would have written its mail by now
    written = "".join(f.read_text() for f in cluster.mails.iterdir())
    assert len(re.findall(r"^Subject: ", written, flags=re.M)) == 3


def test_a_node_killed_mid_traffic_loses_no_request(cluster, worker):
    browser = requests.Session()
    assert _login(browser, cluster.url("lb", ""), worker.email, PASSWORD).status_code == 302
    statuses = []
    for n in range(60):
        if n == 20:
            cluster.kill("a")
        statuses.append(browser.get(cluster.url("lb", "/"), timeout=20, allow_redirects=False).status_code)
    assert statuses == [200] * 60

"""`jalon serve-demo --addr` points the links of messages where the demo runs."""

import importlib
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

serve_demo = importlib.import_module("jalon.www.management.commands.serve-demo")


class FakeConsumer:
    def send_signal(self, sig):
        pass

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def served(monkeypatch, db):
    """Runs the command with the server and the job consumer replaced by recorders."""
    seen = {}

    def fake_runserver(name, *args, **kwargs):
        if name == "runserver":
            seen["addr"] = args[0]
            seen["site_url"] = settings.SITE_URL
            seen["allowed_hosts"] = list(settings.ALLOWED_HOSTS)
            seen["static_built"] = settings.JALON_STATIC_BUILT
            return None
        seen.setdefault("commands", []).append(name)
        return None

    def fake_popen(argv, env, **kwargs):
        seen["consumer_env"] = env
        return FakeConsumer()

    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setattr(serve_demo, "call_command", fake_runserver)
    monkeypatch.setattr(serve_demo.subprocess, "Popen", fake_popen)
    monkeypatch.setattr(serve_demo, "lan_address", lambda: "192.168.1.20", raising=False)
    monkeypatch.setattr(serve_demo, "port_problem", lambda host, port: None)

    def run(*args):
        with override_settings(SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["127.0.0.1", "localhost"]):
            out = StringIO()
            call_command("serve-demo", *args, stdout=out)
            seen["out"] = out.getvalue()
        return seen

    return run


def test_default_address_is_unchanged(served):
    seen = served()
    # The static files are built first, and pages link them (fingerprinted, compressed).
    assert seen["commands"] == ["collectstatic"] and seen["static_built"] is True
    assert seen["addr"] == "127.0.0.1:8000"
    assert seen["site_url"] == "http://127.0.0.1:8000"
    assert seen["consumer_env"]["SITE_URL"] == "http://127.0.0.1:8000"


def test_addr_sets_the_site_url_of_the_server_and_of_the_job_consumer(served):
    seen = served("--addr", "demo.example.org:8080")
    assert seen["addr"] == "demo.example.org:8080"
    assert seen["site_url"] == "http://demo.example.org:8080"
    # Jobs (SMS, e-mails) run in the consumer process: it gets the same address.
    assert seen["consumer_env"]["SITE_URL"] == "http://demo.example.org:8080"
    assert "demo.example.org" in seen["allowed_hosts"]
    assert "http://demo.example.org:8080/" in seen["out"]


def test_every_interface_means_the_address_of_this_machine_on_the_network(served):
    seen = served("--addr", "0.0.0.0:8080")
    assert seen["addr"] == "0.0.0.0:8080"
    assert seen["site_url"] == "http://192.168.1.20:8080"
    assert "192.168.1.20" in seen["allowed_hosts"]


def test_an_explicit_site_url_wins(served, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://demo.jalon.example")
    seen = served("--addr", "0.0.0.0:8080")
    assert seen["site_url"] == "https://demo.jalon.example"
    assert seen["consumer_env"]["SITE_URL"] == "https://demo.jalon.example"


def test_a_bad_address_is_refused_in_french(served):
    with pytest.raises(CommandError, match="Adresse invalide"):
        served("--addr", "0.0.0.0:huit")


def test_settings_are_restored_after_the_run(served):
    served("--addr", "demo.example.org:8080")
    assert settings.SITE_URL != "http://demo.example.org:8080"
    assert settings.JALON_STATIC_BUILT is False


@pytest.fixture
def taken_port():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_port_problem_says_in_french_that_the_port_is_taken(taken_port):
    problem = serve_demo.port_problem("127.0.0.1", str(taken_port))
    assert problem and f"Le port {taken_port} est déjà utilisé" in problem
    assert serve_demo.port_problem("adresse.invalide.", "8000").startswith("Adresse introuvable")


def _consumers_with(marker: str) -> list[int]:
    """Processes whose environment carries `marker` (the run's own var dir) and run run_huey."""
    from pathlib import Path

    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (
                b"run_huey" in (proc / "cmdline").read_bytes()
                and marker.encode() in (proc / "environ").read_bytes()
            ):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_a_taken_port_stops_serve_demo_before_its_job_consumer_starts(taken_port, tmp_path):
    """End to end: the real command, a port already bound; nothing is left running."""
    import os
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY"}}
    env |= {"DEBUG": "1", "JALON_VAR_DIR": str(tmp_path), "PYTHONPATH": str(settings.BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-m", "jalon", "serve-demo", "--addr", f"127.0.0.1:{taken_port}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"Le port {taken_port} est déjà utilisé" in result.stderr
    time.sleep(0.5)
    assert _consumers_with(str(tmp_path)) == []


def test_the_job_consumer_ends_when_serve_demo_dies_abruptly(tmp_path):
    """runserver's os._exit() skips every `finally`: the consumer must still not outlive it."""
    import os
    import subprocess
    import sys
    import time

    parent = (
        "import importlib, os, subprocess, sys\n"
        "sd = importlib.import_module('jalon.www.management.commands.serve-demo')\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
        " preexec_fn=sd.die_with_parent)\n"
        "print(child.pid, flush=True)\n"
        "os._exit(1)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jalon.settings_test",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-c", parent], env=env, capture_output=True, text=True, timeout=60
    )
    child = int(result.stdout.split()[0])
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        # A dead child not yet reaped by init shows as a zombie: gone for our purpose.
        try:
            with open(f"/proc/{child}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        pytest.fail("the child outlived its parent")

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

    def fake_popen(argv, env):
        seen["consumer_env"] = env
        return FakeConsumer()

    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setattr(serve_demo, "call_command", fake_runserver)
    monkeypatch.setattr(serve_demo.subprocess, "Popen", fake_popen)
    monkeypatch.setattr(serve_demo, "lan_address", lambda: "192.168.1.20", raising=False)

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

"""Login throttle behind a reverse proxy: keyed on the real client and on the account."""

import pytest
from django.test import Client, RequestFactory, override_settings

from jalon.users.network import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
LOGIN_RATES = {"login": "30/m/ip", "login_failed": "10/m/ip,5/5m/key"}


def through_proxy(client_address: str, forged: str = "") -> Client:
    """A browser behind our one proxy: the proxy appends the address it sees."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def try_login(client: Client, email: str, password: str):
    return client.post("/comptes/login/", {"login": email, "password": password})


@pytest.mark.parametrize(
    "count, remote, forwarded, expected",
    [
        (0, "192.0.2.7", "", "192.0.2.7"),
        (0, "192.0.2.7", "203.0.113.5", "192.0.2.7"),  # no proxy trusted: the header is ignored
        (1, PROXY, "203.0.113.5", "203.0.113.5"),
        (1, PROXY, "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # the client forged the left part
        (2, PROXY, "1.2.3.4, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, PROXY, "203.0.113.5", "203.0.113.5"),  # came through one proxy of two
        (1, PROXY, "pas-une-adresse", PROXY),
        (1, PROXY, "", PROXY),
    ],
)
def test_client_ip_is_the_address_the_outermost_trusted_proxy_saw(count, remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


def test_trusted_proxy_count_defaults_to_one_behind_a_proxy(monkeypatch):
    import importlib

    import jalon.settings as settings_module

    monkeypatch.setenv("BEHIND_PROXY", "1")
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    monkeypatch.setenv("DEBUG", "1")
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.TRUSTED_PROXY_COUNT == 1
        assert reloaded.ALLAUTH_TRUSTED_PROXY_COUNT == 1
        assert reloaded.RATELIMIT_IP_META_KEY == "jalon.users.network.client_ip"
    finally:
        monkeypatch.delenv("BEHIND_PROXY")
        importlib.reload(settings_module)


@override_settings(TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS=LOGIN_RATES)
def test_failed_logins_from_many_clients_through_the_proxy_lock_nobody_else_out(personas):
    # 40 attackers, each from its own address, each trying a few wrong passwords on other accounts:
    # more than the per-address limit of the proxy's own address would allow.
    for n in range(40):
        response = try_login(through_proxy(f"198.51.100.{n + 1}"), f"personne{n}@example.org", "faux-mot")
        assert response.status_code == 200  # the form again, with its error
    # A colleague behind the same proxy still logs in.
    colleague = through_proxy("203.0.113.9")
    response = try_login(colleague, "cip.a@example.org", "motdepasse-test-1")
    assert response.status_code == 302 and response["Location"] == "/"


@override_settings(TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS=LOGIN_RATES)
def test_one_client_hammering_is_limited_even_when_it_forges_the_header(personas):
    for n in range(10):
        # A forged left part changes nothing: the proxy appended the real address last.
        attacker = through_proxy("198.51.100.66", forged=f"192.0.2.{n}")
        try_login(attacker, f"victime{n}@example.org", "faux-mot")
    # Even the right password is refused to that client for now, in French...
    refused = try_login(
        through_proxy("198.51.100.66", forged="192.0.2.200"), "cip.a@example.org", "motdepasse-test-1"
    )
    assert refused.status_code == 200
    assert "Trop de tentatives de connexion échouées" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    # ... while anyone else still gets in.
    ok = try_login(through_proxy("203.0.113.10"), "cip.a@example.org", "motdepasse-test-1")
    assert ok.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS=LOGIN_RATES)
def test_more_than_thirty_logins_a_minute_from_one_client_get_a_french_429(personas):
    client = through_proxy("198.51.100.67")
    for _ in range(30):
        client.get("/comptes/login/")
        try_login(client, "cip.a@example.org", "motdepasse-test-1")
        client.post("/comptes/logout/")
    response = try_login(client, "cip.a@example.org", "motdepasse-test-1")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert (
        try_login(through_proxy("203.0.113.11"), "cip.a@example.org", "motdepasse-test-1").status_code == 302
    )


@override_settings(TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS=LOGIN_RATES)
def test_failed_logins_on_one_account_from_many_addresses_are_limited_per_account(personas):
    for n in range(5):
        try_login(through_proxy(f"198.51.100.{n + 1}"), "cip.a@example.org", "faux-mot")
    response = try_login(through_proxy("198.51.100.99"), "cip.a@example.org", "motdepasse-test-1")
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in response.wsgi_request.session
    # Another account is not affected.
    ok = try_login(through_proxy("198.51.100.99"), "coord.a@example.org", "motdepasse-test-1")
    assert ok.status_code == 302

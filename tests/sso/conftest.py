"""The loopback ProConnect of tests/oidc_provider.py, configured for the tests of this package."""

import pytest

from jalon.settings import proconnect_app

from ..oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider, keep_requests_on_loopback


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch):
    keep_requests_on_loopback(monkeypatch)


@pytest.fixture
def oidc():
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


def configure(settings, oidc, **app_settings):
    app = proconnect_app(server_url=oidc.issuer, client_id=CLIENT_ID, secret=CLIENT_SECRET)
    app["settings"].update(app_settings)
    settings.SOCIALACCOUNT_PROVIDERS = {"proconnect": {"APPS": [app]}}


@pytest.fixture
def proconnect(settings, oidc):
    configure(settings, oidc)
    return oidc

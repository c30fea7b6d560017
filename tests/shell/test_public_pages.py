"""Defect 12: participant pages — the logo, no staff links, a favicon, only what they use, and the
weight of a first visit through the production static pipeline."""

import gzip
import re
from datetime import time, timedelta
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from jalon.agenda import actions as agenda_actions
from jalon.agenda import links as agenda_links
from jalon.referrals import actions as referral_actions
from jalon.referrals import links as referral_links
from jalon.referrals.models import ReferralSource, ReferrerKind

pytestmark = pytest.mark.django_db

BUDGET = 60 * 1024  # bytes, compressed, for a first visit (page and everything it loads)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


@pytest.fixture
def participant_pages(personas):
    """{name: path} of the participant pages that need no account."""
    a = personas.structure_a
    referrer = referral_actions.create_referrer(
        structure=a,
        actor=personas.case_worker_a.user,
        data={"name": "Boulangerie Martin", "kind": ReferrerKind.SHOP},
    )
    place = agenda_actions.create_place(structure=a, actor=None, name="Tiers-lieu Gare")
    agenda_actions.add_permanence(
        place=place,
        structure=a,
        actor=None,
        data={
            "host": a,
            "label": "Accueil numérique",
            "weekday": (timezone.localdate() + timedelta(days=2)).weekday(),
            "start_time": time(9, 0),
            "end_time": time(12, 0),
            "slot_minutes": 30,
            "valid_from": timezone.localdate() - timedelta(days=60),
        },
    )
    referral = referral_actions.create_referral(
        structure=a,
        referrer=None,
        source=ReferralSource.STAFF,
        data={"first_name": "Yanis", "phone": "06 11 22 33 44", "contact_consent": True},
    )
    token = referral_links.referrer_token(referrer)
    return {
        "referral form": reverse("public_referral", args=[token]),
        "self-referral form": reverse(
            "public_self_referral", args=[referral_links.referrer_token(referrer, self_referral=True)]
        ),
        "referrer follow-up": reverse("public_referral_follow_up", args=[token]),
        "booking link": reverse(
            "public_booking", args=[agenda_links.booking_token(structure=a, referral=referral)]
        ),
    }


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _parse(response) -> _Assets:
    parser = _Assets()
    parser.feed(response.content.decode())
    return parser


def test_participant_pages_load_no_script_and_link_no_staff_page(participant_pages):
    client = Client()
    for name, path in participant_pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        page = _parse(response)
        assert not [a for a in page.assets if a.endswith(".js")], (name, page.assets)
        assert "/api/docs" not in page.links, name
        assert not [href for href in page.links if href.startswith("/aide")], name
        # The logo leads to a public page, not to the login page.
        brand = re.search(r'class="navbar-brand[^"]*" href="([^"]+)"', response.content.decode()).group(1)
        assert brand == reverse("public_services")
        assert client.get(brand).status_code == 200
        assert any("favicon" in a for a in page.assets), name


def test_anonymous_visitor_logo_does_not_lead_to_the_login_page(client):
    page = client.get(reverse("account_login")).content.decode()
    brand = re.search(r'class="navbar-brand[^"]*" href="([^"]+)"', page).group(1)
    assert brand == reverse("public_services")
    assert "/api/docs" not in page


def test_staff_pages_keep_their_scripts_and_the_api_link(personas):
    page = personas.client_for(personas.case_worker_a).get(reverse("home"))
    assets = _parse(page).assets
    assert any("htmx" in a for a in assets) and any("bootstrap.bundle" in a for a in assets)
    assert "/api/docs" in _parse(page).links


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00" and len(body) < 4096
    home = client.get(reverse("account_login")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon[^"]*\.svg" type="image/svg\+xml">', home)


def _served_size(client, url: str, accept: str) -> tuple[int, str]:
    """What WhiteNoise sends a browser with this Accept-Encoding: (bytes, encoding)."""
    response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
    assert response.status_code == 200, url
    assert re.search(r"\.[0-9a-f]{12}\.", url), f"not fingerprinted: {url}"
    assert "immutable" in response.get("Cache-Control", ""), url
    size = int(response["Content-Length"])
    # Read the file through the test client's own closing wrapper: a bare response.close() sends
    # request_finished, whose close_old_connections closes the test's PostgreSQL connection.
    b"".join(response.streaming_content) if response.streaming else response.content
    return size, response.get("Content-Encoding", "identity")


def test_first_visit_weighs_at_most_60_kb_compressed_through_the_production_static_pipeline(
    participant_pages, tmp_path, capsys
):
    storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "jalon.www.staticfiles.JalonStaticStorage"},
    }
    with override_settings(
        STATIC_ROOT=tmp_path, STORAGES=storage, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()  # its WhiteNoise reads the collected files when it starts
        report = []
        for name in ("referral form", "booking link"):
            response = client.get(participant_pages[name])
            assert response.status_code == 200
            # The page itself as a compressing proxy sends it (WhiteNoise serves only static files).
            page = len(gzip.compress(response.content, compresslevel=6))
            # gzip: what every browser gets over plain HTTP (the demo); brotli: over HTTPS.
            total = {"gzip": page, "br": page}
            parts = [f"page {page} B"]
            for url in _parse(response).assets:
                gz, encoding = _served_size(client, url, "gzip")
                br, _ = _served_size(client, url, "br, gzip")
                total["gzip"] += gz
                total["br"] += br
                parts.append(f"{url.rsplit('/', 1)[-1]} {gz} B ({encoding})")
            report.append((name, total, parts))
    with capsys.disabled():
        for name, total, parts in report:
            print(
                f"\n{name}: first visit {total['gzip'] / 1024:.1f} KB gzip, {total['br'] / 1024:.1f} KB brotli — "
                + ", ".join(parts)
            )
    for name, total, _ in report:
        assert total["gzip"] <= BUDGET, f"{name}: {total['gzip'] / 1024:.1f} KB > 60 KB"

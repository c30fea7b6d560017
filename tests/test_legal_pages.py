"""Public legal pages: privacy and legal notice reachable from every page's footer, filled from
settings; /.well-known/security.txt per RFC 9116."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@override_settings(
    JALON_ORGANISATION_NAME="PLIE du Béarn",
    JALON_DPO_EMAIL="dpo@plie-bearn.example.org",
    JALON_CONTACT_EMAIL="accueil@plie-bearn.example.org",
)
def test_privacy_and_legal_pages_are_public_and_templated():
    client = Client()
    privacy = client.get(reverse("privacy"))
    assert privacy.status_code == 200
    text = privacy.content.decode()
    assert "PLIE du Béarn" in text and "dpo@plie-bearn.example.org" in text and "CNIL" in text
    notice = client.get(reverse("legal_notice"))
    assert notice.status_code == 200
    assert "accueil@plie-bearn.example.org" in notice.content.decode()
    assert 'id="securite"' in notice.content.decode()


def test_every_footer_links_the_legal_pages(personas):
    pages = [
        (Client(), reverse("account_login")),
        (Client(), reverse("public_services")),
        (personas.client_for(personas.case_worker_a), reverse("home")),
        (Client(), reverse("privacy")),
    ]
    for client, url in pages:
        html = client.get(url).content.decode()
        footer = html[html.index("<footer") :]
        assert reverse("privacy") in footer and reverse("legal_notice") in footer, url


@override_settings(
    JALON_SECURITY_CONTACT="mailto:securite@plie.example.org", SITE_URL="https://jalon.example.org"
)
def test_security_txt_follows_rfc_9116():
    response = Client().get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:securite@plie.example.org"
    assert fields["Preferred-Languages"] == "fr, en"
    assert fields["Policy"] == "https://jalon.example.org/mentions-legales/#securite"
    assert fields["Canonical"] == "https://jalon.example.org/.well-known/security.txt"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fields["Expires"])
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    # In the future, and less than a year away (RFC 9116 §2.5.5).
    assert timedelta(days=30) < expires - datetime.now(UTC) < timedelta(days=365)


def test_the_public_referral_form_links_its_privacy_notice(personas):
    from jalon.referrals import actions, links
    from jalon.referrals.models import ReferrerKind

    referrer = actions.create_referrer(
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        data={"name": "Boulangerie Martin", "kind": ReferrerKind.SHOP},
    )
    for url in (links.referral_url(referrer), links.referral_url(referrer, self_referral=True)):
        html = Client().get(url).content.decode()
        form_end = html.index("</form>")
        notice = html[form_end : html.index("<footer")]
        assert "Ces informations servent seulement" in notice and reverse("privacy") in notice

"""The public referral link: the shopkeeper's form, the poster's self-referral, the follow-up,
refused links, honeypot and flood limits, and the poster itself."""

import html
import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from jalon.referrals import actions, links
from jalon.referrals.models import Referral, ReferralSource, ReferralStatus, ReferrerKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


@pytest.fixture
def referrer(personas):
    personas.structure_a.phone = "05 59 00 00 00"
    personas.structure_a.save()
    return actions.create_referrer(
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        data={"name": "Boulangerie Martin", "kind": ReferrerKind.SHOP},
    )


def page(response) -> str:
    return html.unescape(response.content.decode())


FORM = {
    "first_name": "Karim",
    "phone": "06 12 34 56 78",
    "commune": "64410",
    "needs": ["emploi"],
    "contact_consent": "on",
}


def _path(referrer, name="public_referral", **kwargs):
    return reverse(name, args=[links.referrer_token(referrer, **kwargs)])


def test_shopkeeper_refers_someone_in_one_minute(personas, referrer):
    client = Client()
    form = client.get(_path(referrer))
    assert form.status_code == 200 and "Orienter une personne vers Association A" in page(form)
    done = client.post(
        _path(referrer), {**FORM, "referrer_note": "Cherche du travail", "share_outcome": "on"}
    )
    assert done.status_code == 200 and "Merci, c'est envoyé" in page(done)
    referral = Referral.objects.get()
    assert (referral.structure, referral.referrer, referral.source) == (
        personas.structure_a,
        referrer,
        ReferralSource.LINK,
    )
    assert referral.phone == "+33612345678" and referral.commune_id == "64410" and referral.share_outcome
    referrer.refresh_from_db()
    assert referrer.referred_count == 1 and referrer.last_referral_at is not None


def test_bad_input_gets_french_messages_and_writes_nothing(referrer):
    response = Client().post(_path(referrer), {"first_name": "", "commune": "Nulle-Part-sur-Mer"})
    text = page(response)
    assert response.status_code == 200 and not Referral.objects.exists()
    for message in (
        "Ce champ est obligatoire.",
        "Indiquez un téléphone ou un e-mail",
        "Commune introuvable",
        "Il faut l'accord de la personne",
    ):
        assert message in text


def test_self_referral_from_the_poster_cannot_open_the_follow_up(referrer):
    client = Client()
    self_token = links.referrer_token(referrer, self_referral=True)
    done = client.post(reverse("public_self_referral", args=[self_token]), FORM)
    assert "vous rappelle" in page(done) and Referral.objects.get().source == ReferralSource.SELF
    assert client.get(reverse("public_referral_follow_up", args=[self_token])).status_code == 404
    assert client.get(reverse("public_referral", args=[self_token])).status_code == 404
    # …and the referrer's own token does not open the self-referral form either.
    assert (
        client.get(reverse("public_self_referral", args=[links.referrer_token(referrer)])).status_code == 404
    )


def test_follow_up_shows_a_status_and_the_first_name_only_if_agreed(personas, referrer):
    client = Client()
    client.post(_path(referrer), {**FORM, "first_name": "Karim", "share_outcome": "on"})
    client.post(_path(referrer), {**FORM, "first_name": "Sonia", "phone": "06 12 34 56 79"})
    karim = Referral.objects.get(first_name="Karim")
    actions.change_referral_status(
        referral=karim, structure=personas.structure_a, actor=personas.case_worker_a.user, status="contactee"
    )
    text = page(client.get(_path(referrer, "public_referral_follow_up")))
    assert "Karim" in text and "en cours" in text
    assert "Sonia" not in text and "Personne n°2" in text and "reçue" in text
    assert "+3361234" not in text and "06 12" not in text


def test_tampered_revoked_and_replaced_links_are_refused_clearly(personas, referrer):
    client = Client()
    token = links.referrer_token(referrer)
    tampered = client.get(reverse("public_referral", args=[token[:-3] + "xyz"]))
    assert tampered.status_code == 404 and "n'est pas valide" in page(tampered)
    actions.regenerate_link(referrer=referrer, structure=personas.structure_a, actor=None)
    replaced = client.post(reverse("public_referral", args=[token]), FORM)
    assert replaced.status_code == 410 and "n'est plus actif" in page(replaced)
    fresh = links.referrer_token(referrer)
    assert client.get(reverse("public_referral", args=[fresh])).status_code == 200
    actions.revoke_link(referrer=referrer, structure=personas.structure_a, actor=None)
    assert client.get(reverse("public_referral", args=[fresh])).status_code == 410
    assert not Referral.objects.exists()


def test_honeypot_thanks_the_robot_and_writes_nothing(referrer):
    response = Client().post(_path(referrer), {**FORM, "website": "http://spam.example"})
    assert response.status_code == 200 and "Merci" in page(response) and not Referral.objects.exists()


def test_a_flood_is_cut_off_per_address_and_per_link(referrer):
    client = Client()
    for i in range(10):
        assert client.post(_path(referrer), {**FORM, "phone": f"06 12 34 56 {i:02d}"}).status_code == 200
    flooded = client.post(_path(referrer), {**FORM, "phone": "06 12 34 56 99"})
    assert flooded.status_code == 429 and "Trop d'envois" in page(flooded)
    assert Referral.objects.count() == 10
    # Another address still reaches the link until the link's own limit.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(_path(referrer), {**FORM, "phone": "06 12 34 57 00"}).status_code == 200
    assert Referral.objects.count() == 11


def test_poster_is_a_pdf_with_the_phone_and_the_self_referral_link(personas, referrer):
    client = personas.client_for(personas.read_only_a)
    response = client.get(reverse("referrer_poster_pdf", args=[referrer.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "05 59 00 00 00" in text
    assert links.referrer_token(referrer, self_referral=True)[:12] in text.replace("\n", "")


def test_referrer_pages_and_prospection(personas, referrer):
    client = personas.client_for(personas.case_worker_a)
    listing = page(client.get(reverse("referrer_list")))
    assert "Boulangerie Martin" in listing and "actif" in listing
    client.post(
        reverse("referrer_prospection", args=[referrer.pk]),
        {
            "kind": "affiche",
            "happened_on": "2026-11-02",
            "note": "Affiche en vitrine",
            "follow_up_on": "2026-11-10",
        },
    )
    detail = page(client.get(reverse("referrer_detail", args=[referrer.pk])))
    assert "Affiche en vitrine" in detail and links.referral_url(referrer) in detail
    home = page(client.get(reverse("home"))).lower()
    assert "relances de relais prévues" in home
    assert Referral.objects.filter(status=ReferralStatus.NEW).count() == 0

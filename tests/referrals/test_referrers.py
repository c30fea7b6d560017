"""Referrers: the API with its public links, the PNG poster, and the pages' query counts."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from jalon.referrals import actions, links
from jalon.referrals.models import ProspectionKind, Referral, ReferralSource, Referrer, ReferrerKind
from jalon.users.models import ApiToken
from jalon.www.referrers import poster

pytestmark = pytest.mark.django_db


def _api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='test')[1]}")


def _referrer(structure, name="Boulangerie du marché", **extra):
    return actions.create_referrer(
        structure=structure, actor=None, data={"name": name, "kind": "commerce", **extra}
    )


def test_api_lists_creates_and_patches_referrers_with_their_links(personas):
    api = _api(personas.case_worker_a.user)
    created = api.post(
        "/api/v1/referrers",
        {"name": "Agence du centre", "kind": "agence_immobiliere", "contact_name": "M. Roux"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    referrer = Referrer.objects.get(pk=body["id"])
    assert body["referral_url"] == links.referral_url(referrer)
    assert body["self_referral_url"] == links.referral_url(referrer, self_referral=True)
    assert body["dormant"] is False and body["referred_count"] == 0
    bad = api.post("/api/v1/referrers", {"name": "", "kind": "commerce"}, content_type="application/json")
    assert bad.status_code == 422 and "vide" in bad.json()["detail"], bad.json()
    assert Referrer.objects.count() == 1
    wrong_kind = api.post("/api/v1/referrers", {"name": "X", "kind": "ovni"}, content_type="application/json")
    assert wrong_kind.status_code == 422 and Referrer.objects.count() == 1

    patched = api.patch(
        f"/api/v1/referrers/{referrer.pk}", {"is_active": False}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["referral_url"] is None
    null = api.patch(f"/api/v1/referrers/{referrer.pk}", {"name": None}, content_type="application/json")
    assert null.status_code == 422 and Referrer.objects.get().name == "Agence du centre"


def test_api_filters_and_pages_within_the_structure(personas):
    a = personas.structure_a
    quiet = _referrer(a, "Silencieux")
    Referrer.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - timedelta(days=200))
    for i in range(3):
        _referrer(a, f"Relais {i}")
    _referrer(personas.structure_b, "Relais de B")
    api = _api(personas.case_worker_a.user)
    names = [r["name"] for r in api.get("/api/v1/referrers").json()["items"]]
    assert "Relais de B" not in names and len(names) == 4
    assert [r["name"] for r in api.get("/api/v1/referrers?etat=sommeil").json()["items"]] == ["Silencieux"]
    assert len(api.get("/api/v1/referrers?etat=actif").json()["items"]) == 3
    first = api.get("/api/v1/referrers?taille=2").json()
    second = api.get(f"/api/v1/referrers?taille=2&apres={first['suivant']}").json()
    assert len({r["id"] for r in first["items"] + second["items"]}) == 4 and second["suivant"] is None
    their = Referrer.objects.get(name="Relais de B")
    assert api.get(f"/api/v1/referrers/{their.pk}").status_code == 404
    assert api.get("/api/v1/referrers/987654321").status_code == 404


def test_png_poster_carries_the_qr_code_of_the_self_referral_link(personas):
    personas.structure_a.phone = "+33559000000"
    personas.structure_a.save()
    referrer = _referrer(personas.structure_a)
    client = personas.client_for(personas.case_worker_a)
    response = client.get(reverse("referrer_poster_png", args=[referrer.pk]))
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (poster.WIDTH, poster.HEIGHT)
    # The QR code pasted in the poster is exactly segno's code for the self-referral link.
    expected = poster.qr_image(links.referral_url(referrer, self_referral=True), 620)
    found = [
        (x, y)
        for y in range(0, poster.HEIGHT - 620, 2)
        for x in ((poster.WIDTH - 620) // 2,)
        if image.crop((x, y, x + 620, y + 620)).tobytes() == expected.tobytes()
    ]
    assert len(found) == 1
    other = poster.qr_image(links.referral_url(referrer), 620)
    assert other.tobytes() != expected.tobytes()
    # A deactivated link gets no poster, and says why.
    actions.revoke_link(referrer=referrer, structure=personas.structure_a, actor=None)
    refused = client.get(reverse("referrer_poster_png", args=[referrer.pk]), follow=True)
    assert "Le lien de ce relais est désactivé" in refused.content.decode()
    assert client.get(reverse("referrer_poster_pdf", args=[referrer.pk])).status_code == 302


def _grow(personas, n):
    a = personas.structure_a
    for _ in range(n):
        referrer = _referrer(a, f"Relais {Referrer.objects.count()}", facilitator=personas.case_worker_a.user)
        actions.log_prospection(
            referrer=referrer,
            structure=a,
            actor=personas.case_worker_a.user,
            data={
                "kind": ProspectionKind.VISIT,
                "happened_on": timezone.localdate(),
                "note": "Affiche posée",
            },
        )
        actions.create_referral(
            structure=a,
            referrer=referrer,
            source=ReferralSource.LINK,
            data={"first_name": "Inès", "phone": "06 12 34 56 78", "contact_consent": True},
        )


PAGES = [
    ("list", lambda ctx: reverse("referrer_list"), 5),
    ("list, dormant", lambda ctx: reverse("referrer_list") + "?etat=sommeil", 5),
    ("detail", lambda ctx: reverse("referrer_detail", args=[ctx["referrer"].pk]), 6),
    ("API list", lambda ctx: "/api/v1/referrers", 5),
]


def test_pages_run_the_same_number_of_queries_at_n_and_10n(personas):
    client = personas.client_for(personas.case_worker_a)
    client.get(reverse("home"))
    counts = {}
    for n in (3, 30):
        _grow(personas, n)
        referrer = Referrer.objects.order_by("pk").first()
        for _ in range(n):  # the detail lists its referrals: more of them, same queries
            Referral.objects.create(
                structure=personas.structure_a,
                referrer=referrer,
                source="lien",
                first_name="Léo",
                phone="+33612345678",
                contact_consent_at=timezone.now(),
                consent_text_version="2026-11",
            )
        for label, url, _ in PAGES:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url({"referrer": referrer})).status_code == 200, label
            counts.setdefault(label, []).append(len(queries))
    report = "\n".join(
        f"{label:16} {a:3} → {b:3} (bound {bound})"
        for (label, _, bound), (a, b) in zip(PAGES, counts.values(), strict=True)
    )
    assert all(a == b for a, b in counts.values()), report
    assert [a for a, _ in counts.values()] == [bound for _, _, bound in PAGES], report


def test_kinds_cover_the_issue(personas):
    # Shops, bars, estate agents, temp agencies, charities, sports clubs, landlords, partners.
    assert {
        "commerce",
        "cafe",
        "agence_immobiliere",
        "interim",
        "caritatif",
        "club_sportif",
        "bailleur",
        "partenaire",
    } <= set(ReferrerKind.values)

import pytest
from django.urls import reverse

from jalon.referrals import actions
from jalon.referrals.models import Orientation, Referral, ReferralSource, ReferralStatus
from jalon.users.models import ApiToken

pytestmark = pytest.mark.django_db


def _api(membership):
    from django.test import Client

    _, raw = ApiToken.issue(user=membership.user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _referral(structure, **extra):
    data = {"first_name": "Awa", "phone": "0612345678", "contact_consent": True, **extra}
    return actions.create_referral(structure=structure, referrer=None, source=ReferralSource.STAFF, data=data)


def test_inbox_api_lists_only_the_structures_open_referrals_with_a_cursor(personas):
    own = [_referral(personas.structure_a, first_name=f"A{i}") for i in range(3)]
    _referral(personas.structure_b, first_name="B")
    client = _api(personas.case_worker_a)
    first = client.get("/api/v1/referrals?taille=2").json()
    assert [r["first_name"] for r in first["items"]] == ["A2", "A1"] and first["suivant"]
    second = client.get(f"/api/v1/referrals?taille=2&apres={first['suivant']}").json()
    assert [r["first_name"] for r in second["items"]] == ["A0"] and second["suivant"] is None
    assert client.get(f"/api/v1/referrals/{own[0].pk}").json()["phone"] == "+33612345678"


def test_create_and_move_a_referral_through_the_api(personas):
    client = _api(personas.case_worker_a)
    refused = client.post(
        "/api/v1/referrals",
        {"first_name": "Awa", "phone": "0612345678", "contact_consent": False},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "obligatoire" in refused.json()["detail"]
    assert not Referral.objects.exists()
    created = client.post(
        "/api/v1/referrals",
        {
            "first_name": "Awa",
            "phone": "0612345678",
            "contact_consent": True,
            "commune": "64410",
            "needs": ["numerique"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    referral_id = created.json()["id"]
    skipped = client.patch(
        f"/api/v1/referrals/{referral_id}", {"status": "orientee"}, content_type="application/json"
    )
    assert skipped.status_code == 422 and "n'est pas possible" in skipped.json()["detail"]
    moved = client.patch(
        f"/api/v1/referrals/{referral_id}", {"status": "contactee"}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["first_contact_at"]
    assert Referral.objects.get(pk=referral_id).status == ReferralStatus.CONTACTED


def test_orientation_api_both_sides(personas, person_a):
    sender, receiver = _api(personas.case_worker_a), _api(personas.case_worker_b)
    created = sender.post(
        "/api/v1/orientations",
        {
            "person_id": person_a.pk,
            "target_kind": "structure",
            "target_structure_id": personas.structure_b.pk,
            "motive": "Atelier smartphone",
            "share_contact": False,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    orientation_id = created.json()["id"]
    received = receiver.get("/api/v1/orientations?cote=recues").json()["items"]
    assert [o["id"] for o in received] == [orientation_id]
    # The receiving side never gets the file's id, only the first name.
    assert received[0]["person_id"] is None and received[0]["person_first_name"] == person_a.first_name
    assert (
        sender.post(
            f"/api/v1/orientations/{orientation_id}/reponse",
            {"accepted": True},
            content_type="application/json",
        ).status_code
        == 403
    )
    answer = receiver.post(
        f"/api/v1/orientations/{orientation_id}/reponse", {"accepted": False}, content_type="application/json"
    )
    assert answer.status_code == 422 and "raison" in answer.json()["detail"]
    answer = receiver.post(
        f"/api/v1/orientations/{orientation_id}/reponse",
        {"accepted": True, "note": "Bienvenue"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "acceptee"
    step = receiver.post(
        f"/api/v1/orientations/{orientation_id}/etape",
        {"status": "demarree"},
        content_type="application/json",
    )
    assert step.status_code == 200 and Orientation.objects.get(pk=orientation_id).started_at


def test_orientation_to_a_non_partner_is_refused(personas, person_a):
    from tests.factories import StructureFactory

    stranger = StructureFactory()
    response = _api(personas.case_worker_a).post(
        "/api/v1/orientations",
        {
            "person_id": person_a.pk,
            "target_kind": "structure",
            "target_structure_id": stranger.pk,
            "motive": "x",
            "share_contact": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 422 and not Orientation.objects.exists()
    assert reverse("api:list_orientations")

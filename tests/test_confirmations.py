"""Confirmation before destruction: five actions that cannot be undone ask first, with no JavaScript.

The destructive button is a link to a page that says what will happen; only its POST, which
carries the confirmation field, does it. A POST without the field (an old form, a replayed
request) changes nothing. Another structure's object is a 404, confirmation or not.
"""

import html

import pytest
from django.urls import reverse

from jalon.people.models import Consent, ConsentPurpose
from jalon.programmes.models import Enrolment, EnrolmentStatus
from jalon.referrals import actions as referrals
from jalon.referrals.models import Orientation, OrientationStatus, OrientationTarget, Referrer, ReferrerKind
from jalon.users.models import ApiToken
from tests.factories import PersonFactory
from tests.programmes.test_enrolment import _session

pytestmark = pytest.mark.django_db

CONFIRM = {"confirme": "oui"}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def assert_confirmation_page(response, *, says: str, back: str):
    assert response.status_code == 200
    page = _text(response)
    assert says in page
    assert 'name="confirme" value="oui"' in page and 'method="post"' in page
    assert f'href="{back}"' in page and "Non, revenir" in page


# --- The referrer's public link ---------------------------------------------------------------


@pytest.fixture
def referrer(personas):
    return referrals.create_referrer(
        structure=personas.structure_a, actor=None, data={"name": "Boulangerie", "kind": ReferrerKind.SHOP}
    )


def _link(referrer):
    return Referrer.objects.values_list("link_key", "link_revoked_at").get(pk=referrer.pk)


@pytest.mark.parametrize("action", ["remplacer", "desactiver"])
def test_referrer_link_asks_before_the_posters_stop_working(personas, referrer, action):
    client = personas.client_for(personas.case_worker_a)
    url = reverse("referrer_link", args=[referrer.pk])
    before = _link(referrer)
    detail = reverse("referrer_detail", args=[referrer.pk])
    page = client.get(url, {"action": action})
    assert_confirmation_page(page, says="Les affiches déjà imprimées ne fonctionneront plus", back=detail)
    assert f'name="action" value="{action}"' in _text(page)
    assert client.post(url, {"action": action}).status_code == 200
    assert _link(referrer) == before
    assert client.post(url, {"action": action, **CONFIRM}).status_code == 302
    key, revoked = _link(referrer)
    assert (revoked is not None) if action == "desactiver" else (key != before[0] and revoked is None)


def test_referrer_detail_offers_links_to_the_confirmation(personas, referrer):
    page = _text(
        personas.client_for(personas.case_worker_a).get(reverse("referrer_detail", args=[referrer.pk]))
    )
    url = reverse("referrer_link", args=[referrer.pk])
    assert f'href="{url}?action=desactiver"' in page and f'href="{url}?action=remplacer"' in page


def test_other_structure_cannot_reach_the_link_confirmation(personas, referrer):
    client = personas.client_for(personas.case_worker_b)
    url = reverse("referrer_link", args=[referrer.pk])
    before = _link(referrer)
    assert client.get(url, {"action": "desactiver"}).status_code == 404
    assert client.post(url, {"action": "desactiver", **CONFIRM}).status_code == 404
    assert _link(referrer) == before


# --- A programme enrolment --------------------------------------------------------------------


@pytest.fixture
def full_session(personas):
    from jalon.programmes import actions

    session = _session(personas.structure_a, capacity=1)
    actor = personas.case_worker_a.user
    seated, waiting = (
        actions.enrol(
            session=session,
            person=PersonFactory(structure=personas.structure_a),
            structure=personas.structure_a,
            actor=actor,
        )
        for _ in range(2)
    )
    assert waiting.status == EnrolmentStatus.WAITING
    return session, seated, waiting


def test_enrolment_cancel_asks_and_says_who_takes_the_seat(personas, full_session):
    session, seated, waiting = full_session
    client = personas.client_for(personas.case_worker_a)
    url = reverse("enrolment_cancel", args=[session.pk, seated.pk])
    page = client.get(url)
    assert_confirmation_page(
        page,
        says="La place sera proposée à la première personne en liste d'attente",
        back=reverse("session_detail", args=[session.pk]),
    )
    assert seated.person.full_name in _text(page)
    client.post(url)
    assert Enrolment.objects.get(pk=seated.pk).status == EnrolmentStatus.ENROLLED
    assert client.post(url, CONFIRM).status_code == 302
    assert Enrolment.objects.get(pk=seated.pk).status == EnrolmentStatus.CANCELLED
    assert Enrolment.objects.get(pk=waiting.pk).status == EnrolmentStatus.ENROLLED


def test_session_page_links_to_the_enrolment_confirmation(personas, full_session):
    session, seated, waiting = full_session
    page = _text(
        personas.client_for(personas.case_worker_a).get(reverse("session_detail", args=[session.pk]))
    )
    for enrolment in (seated, waiting):
        assert f'href="{reverse("enrolment_cancel", args=[session.pk, enrolment.pk])}"' in page


def test_other_structure_cannot_cancel_an_enrolment(personas, full_session):
    session, seated, _ = full_session
    client = personas.client_for(personas.case_worker_b)
    url = reverse("enrolment_cancel", args=[session.pk, seated.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, CONFIRM).status_code == 404
    assert Enrolment.objects.get(pk=seated.pk).status == EnrolmentStatus.ENROLLED


def test_enrolment_cancel_through_the_api_needs_no_confirmation(personas, full_session):
    from django.test import Client

    _, seated, _ = full_session
    raw = ApiToken.issue(user=personas.case_worker_a.user, name="t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.post(f"/api/v1/enrolments/{seated.pk}/annulation").json()["status"] == "annulee"


# --- An orientation ---------------------------------------------------------------------------


@pytest.fixture
def orientation(personas, person_a):
    return referrals.propose_orientation(
        person=person_a,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        target_kind=OrientationTarget.STRUCTURE,
        target_structure=personas.structure_b,
        motive="Atelier numérique",
        share_contact=True,
    )


def test_orientation_cancel_asks_first(personas, orientation):
    client = personas.client_for(personas.case_worker_a)
    detail = reverse("orientation_detail", args=[orientation.pk])
    confirm = reverse("orientation_cancel", args=[orientation.pk])
    assert f'href="{confirm}"' in _text(client.get(detail))
    page = client.get(confirm)
    assert_confirmation_page(page, says="ne pourra plus répondre", back=detail)
    assert f'action="{reverse("orientation_move", args=[orientation.pk])}"' in _text(page)
    move = reverse("orientation_move", args=[orientation.pk])
    assert client.post(move, {"status": "annulee"}).status_code == 200
    assert Orientation.objects.get(pk=orientation.pk).status == OrientationStatus.PROPOSED
    assert client.post(move, {"status": "annulee", **CONFIRM}).status_code == 302
    assert Orientation.objects.get(pk=orientation.pk).status == OrientationStatus.CANCELLED


def test_orientation_cancel_confirmation_is_for_the_sender_only(personas, orientation):
    # The receiver sees the orientation but may not cancel it; a third structure does not see it.
    receiver = personas.client_for(personas.case_worker_b)
    assert receiver.get(reverse("orientation_cancel", args=[orientation.pk])).status_code == 404
    from tests.factories import MembershipFactory, StructureFactory

    stranger = personas.client_for(MembershipFactory(structure=StructureFactory()))
    assert stranger.get(reverse("orientation_cancel", args=[orientation.pk])).status_code == 404
    move = reverse("orientation_move", args=[orientation.pk])
    assert stranger.post(move, {"status": "annulee", **CONFIRM}).status_code == 404
    assert Orientation.objects.get(pk=orientation.pk).status == OrientationStatus.PROPOSED


# --- A consent ---------------------------------------------------------------------------------


def test_consent_withdrawal_asks_first(personas, person_a):
    consent = Consent.objects.get(person=person_a, purpose=ConsentPurpose.ACCOMPANIMENT)
    client = personas.client_for(personas.case_worker_a)
    url = reverse("consent_withdraw", args=[person_a.pk, consent.pk])
    detail = reverse("person_detail", args=[person_a.pk])
    assert f'href="{url}"' in _text(client.get(detail))
    page = client.get(url)
    assert_confirmation_page(page, says="ne pourra pas être annulé", back=detail + "#consentements")
    assert client.post(url).status_code == 200
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    assert client.post(url, CONFIRM).status_code == 302
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None


def test_other_structure_cannot_withdraw_a_consent(personas, person_a):
    consent = Consent.objects.get(person=person_a, purpose=ConsentPurpose.ACCOMPANIMENT)
    client = personas.client_for(personas.case_worker_b)
    url = reverse("consent_withdraw", args=[person_a.pk, consent.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, CONFIRM).status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


# --- An API token ------------------------------------------------------------------------------


def test_token_revocation_asks_first(personas):
    user = personas.case_worker_a.user
    token, _ = ApiToken.issue(user=user, name="Tableur du PLIE")
    client = personas.client_for(user)
    url = reverse("api_token_revoke", args=[token.pk])
    assert f'href="{url}"' in _text(client.get(reverse("api_tokens")))
    page = client.get(url)
    assert_confirmation_page(page, says="ne pourront plus", back=reverse("api_tokens"))
    assert "Tableur du PLIE" in _text(page)
    assert client.post(url).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client.post(url, CONFIRM).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_someone_elses_token_is_404(personas):
    token, _ = ApiToken.issue(user=personas.admin_a.user, name="t")
    client = personas.client_for(personas.case_worker_a)
    url = reverse("api_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, CONFIRM).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_confirmation_pages_change_nothing(personas, person_a, referrer, full_session, orientation):
    """Opening every confirmation page writes nothing but read audit events."""
    from jalon.audit.models import Action, AuditEvent

    session, seated, _ = full_session
    consent = Consent.objects.filter(person=person_a).first()
    token, _ = ApiToken.issue(user=personas.case_worker_a.user, name="t")
    client = personas.client_for(personas.case_worker_a)
    writes = AuditEvent.objects.exclude(action=Action.READ).count()
    for url in (
        reverse("referrer_link", args=[referrer.pk]) + "?action=desactiver",
        reverse("enrolment_cancel", args=[session.pk, seated.pk]),
        reverse("orientation_cancel", args=[orientation.pk]),
        reverse("consent_withdraw", args=[person_a.pk, consent.pk]),
        reverse("api_token_revoke", args=[token.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert AuditEvent.objects.exclude(action=Action.READ).count() == writes
    assert Referrer.objects.get(pk=referrer.pk).link_revoked_at is None
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert Enrolment.objects.get(pk=seated.pk).status == EnrolmentStatus.ENROLLED
    assert Orientation.objects.get(pk=orientation.pk).status == OrientationStatus.PROPOSED

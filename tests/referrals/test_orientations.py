"""Orientations: workflow on both sides, the signed answer link, reminders and expiry."""

import html
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from jalon.audit.models import Action, AuditEvent
from jalon.notifications import actions as outbox
from jalon.notifications.models import MAX_ATTEMPTS, MessageStatus, OutboxMessage
from jalon.referrals import actions, links
from jalon.referrals.models import Orientation, OrientationStatus, OrientationTarget
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("serveur de messagerie indisponible")


def _orient(personas, person, **extra):
    personas.structure_b.email = "accueil@plie-b.example.org"
    personas.structure_b.save()
    data = {
        "target_kind": OrientationTarget.STRUCTURE,
        "target_structure": personas.structure_b,
        "motive": "Atelier numérique pour débutants",
        "share_contact": True,
        **extra,
    }
    return actions.propose_orientation(
        person=person, structure=personas.structure_a, actor=personas.case_worker_a.user, **data
    )


def _token_in(message) -> str:
    return re.search(r"/reponse/([^/\s]+)/", message.body).group(1)


def test_proposal_needs_a_motive_and_a_target(personas, person_a):
    with pytest.raises(ValidationError) as error:
        actions.propose_orientation(
            person=person_a,
            structure=personas.structure_a,
            actor=None,
            target_kind=OrientationTarget.SERVICE,
            motive=" ",
            share_contact=False,
        )
    assert {"motive", "target_label"} <= set(error.value.message_dict)
    assert not Orientation.objects.exists()


def test_proposal_sends_the_signed_link_to_the_receiving_structure(personas, person_a):
    orientation = _orient(personas, person_a)
    message = OutboxMessage.objects.get(purpose="orientation_initial")
    assert message.to == "accueil@plie-b.example.org"
    assert links.resolve_orientation(_token_in(message)) == orientation
    assert person_a.events.filter(kind="orientation").exists()


def test_without_consent_the_receiver_sees_only_the_first_name(personas, person_a):
    orientation = _orient(personas, person_a, share_contact=False)
    message = OutboxMessage.objects.get(purpose="orientation_initial")
    assert person_a.last_name not in message.body
    page = Client().get(reverse("public_orientation_answer", args=[_token_in(message)]))
    assert person_a.first_name in page.text
    assert person_a.last_name.upper() not in page.text and person_a.phone_display not in page.text
    receiver = personas.client_for(personas.case_worker_b)
    detail = receiver.get(reverse("orientation_detail", args=[orientation.pk]))
    assert detail.status_code == 200 and person_a.last_name.upper() not in detail.text


def test_answer_through_the_link_without_account(personas, person_a):
    orientation = _orient(personas, person_a)
    token = _token_in(OutboxMessage.objects.get(purpose="orientation_initial"))
    client = Client()
    page = client.get(reverse("public_orientation_answer", args=[token]))
    assert page.status_code == 200 and person_a.phone_display in page.text
    assert "no-store" in page["Cache-Control"]
    assert AuditEvent.objects.filter(action=Action.READ, object_type="orientation", via="link").exists()
    refused = client.post(
        reverse("public_orientation_answer", args=[token]), {"decision": "non", "answered_by_name": "Léa"}
    )
    assert refused.status_code == 200 and "Indiquez la raison du refus." in html.unescape(refused.text)
    assert Orientation.objects.get(pk=orientation.pk).status == OrientationStatus.PROPOSED
    done = client.post(
        reverse("public_orientation_answer", args=[token]),
        {"decision": "oui", "answered_by_name": "Léa Martin", "note": "Rendez-vous lundi"},
    )
    assert done.status_code == 200 and "Merci" in done.text
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.ACCEPTED and orientation.answered_by_name == "Léa Martin"
    assert OutboxMessage.objects.filter(
        purpose="orientation_status", to=personas.case_worker_a.user.email
    ).exists()
    # The link is spent: a second answer is refused with a clear page.
    again = client.get(reverse("public_orientation_answer", args=[token]))
    assert again.status_code == 410 and "déjà reçu une réponse" in html.unescape(again.text)


def test_tampered_and_expired_links_are_refused_with_a_clear_page(personas, person_a):
    orientation = _orient(personas, person_a)
    token = links.orientation_token(orientation)
    client = Client()
    tampered = client.get(
        reverse("public_orientation_answer", args=[token[:-2] + ("AA" if token[-2:] != "AA" else "BB")])
    )
    assert tampered.status_code == 404 and "n'est pas valide" in html.unescape(tampered.text)
    forged = signing.TimestampSigner(salt="autre").sign(orientation.answer_key)
    assert client.get(reverse("public_orientation_answer", args=[forged])).status_code == 404
    later = timezone.now() + Orientation.ANSWER_VALIDITY + timedelta(minutes=1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = client.get(reverse("public_orientation_answer", args=[token]))
        posted = client.post(
            reverse("public_orientation_answer", args=[token]), {"decision": "oui", "answered_by_name": "X"}
        )
    assert expired.status_code == 410 and "expiré" in html.unescape(expired.text)
    assert posted.status_code == 410
    assert Orientation.objects.get(pk=orientation.pk).status == OrientationStatus.PROPOSED


def test_receiver_answers_in_jalon_and_only_the_receiver(personas, person_a):
    orientation = _orient(personas, person_a)
    with pytest.raises(PermissionDenied):
        actions.answer_orientation(orientation=orientation, accepted=True, structure=personas.structure_a)
    client = personas.client_for(personas.case_worker_b)
    response = client.post(
        reverse("orientation_answer", args=[orientation.pk]), {"decision": "non", "refusal_reason": "complet"}
    )
    assert response.status_code == 302
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.REFUSED and orientation.refusal_reason == "complet"
    with pytest.raises(ValidationError):
        actions.answer_orientation(orientation=orientation, accepted=True, structure=personas.structure_b)


def test_start_and_finish_by_the_receiver_cancel_by_the_sender(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    orientation = _orient(personas, person_a)
    with pytest.raises(ValidationError):
        actions.move_orientation(orientation=orientation, structure=b, actor=None, status="annulee")
    actions.answer_orientation(orientation=orientation, accepted=True, structure=b)
    orientation.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.move_orientation(orientation=orientation, structure=a, actor=None, status="demarree")
    actions.move_orientation(orientation=orientation, structure=b, actor=None, status="demarree")
    actions.move_orientation(orientation=orientation, structure=b, actor=None, status="terminee")
    orientation.refresh_from_db()
    assert (
        orientation.status == OrientationStatus.FINISHED and orientation.started_at and orientation.ended_at
    )
    other = _orient(personas, person_a)
    with pytest.raises(PermissionDenied):
        actions.move_orientation(
            orientation=other, structure=StructureFactory(), actor=None, status="annulee"
        )
    actions.move_orientation(orientation=other, structure=a, actor=None, status="annulee")
    assert Orientation.objects.get(pk=other.pk).status == OrientationStatus.CANCELLED


def test_reminder_after_ten_days_once_then_expiry_at_thirty(personas, person_a):
    orientation = _orient(personas, person_a)
    start = orientation.created_at
    assert actions.remind_and_expire_orientations(now=start + timedelta(days=9)) == {
        "reminded": 0,
        "expired": 0,
    }
    assert actions.remind_and_expire_orientations(now=start + timedelta(days=10, minutes=1)) == {
        "reminded": 1,
        "expired": 0,
    }
    # The job runs every hour: a second run sends nothing more.
    assert actions.remind_and_expire_orientations(now=start + timedelta(days=10, hours=1)) == {
        "reminded": 0,
        "expired": 0,
    }
    reminders = OutboxMessage.objects.filter(purpose="orientation_reminder")
    assert reminders.count() == 1 and reminders.get().subject.startswith("Rappel")
    assert actions.remind_and_expire_orientations(now=start + timedelta(days=30, minutes=1)) == {
        "reminded": 0,
        "expired": 1,
    }
    assert actions.remind_and_expire_orientations(now=start + timedelta(days=31)) == {
        "reminded": 0,
        "expired": 0,
    }
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.EXPIRED
    assert OutboxMessage.objects.filter(purpose="orientation_status").count() == 1
    assert AuditEvent.objects.filter(object_type="orientation", via="job").count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.referrals.test_orientations.BrokenEmailBackend")
def test_failing_mail_provider_retries_then_shows_a_failure_and_loses_nothing(personas, person_a):
    orientation = _orient(personas, person_a)
    message = OutboxMessage.objects.get(purpose="orientation_initial")
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING and "indisponible" in message.last_error
    for _ in range(MAX_ATTEMPTS - 1):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == MAX_ATTEMPTS
    assert links.resolve_orientation(_token_in(message)) == orientation
    assert not mail.outbox

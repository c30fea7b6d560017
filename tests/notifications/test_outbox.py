import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from jalon.notifications import actions
from jalon.notifications.models import MAX_ATTEMPTS, MessageChannel, MessageStatus, OutboxMessage
from jalon.notifications.sms import LocmemBackend, SmsError


class BrokenBackend:
    def send(self, *, to, body):
        raise SmsError("fournisseur indisponible")


@pytest.fixture(autouse=True)
def clear_sms():
    LocmemBackend.outbox.clear()


@pytest.mark.django_db(transaction=True)
def test_email_is_written_then_sent_once_after_commit():
    message = actions.enqueue(
        channel=MessageChannel.EMAIL, to="a@example.org", subject="Bonjour", body="Texte"
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 1
    # A second run of the job finds nothing to do.
    assert actions.deliver(message.pk) == MessageStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_same_dedupe_key_gives_one_message():
    first = actions.enqueue(
        channel=MessageChannel.SMS, to="+33612345678", body="Rappel", dedupe_key="rappel:1"
    )
    second = actions.enqueue(
        channel=MessageChannel.SMS, to="+33612345678", body="Rappel", dedupe_key="rappel:1"
    )
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(LocmemBackend.outbox) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notifications.test_outbox.BrokenBackend")
def test_failing_provider_retries_with_backoff_then_fails_visibly():
    message = actions.enqueue(channel=MessageChannel.SMS, to="+33612345678", body="Rappel")
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert "fournisseur indisponible" in message.last_error
    # Not due yet: the periodic job leaves it alone.
    assert actions.deliver(message.pk) == MessageStatus.RETRYING
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
    for _ in range(MAX_ATTEMPTS - 1):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        actions.deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert message.body == "Rappel"  # nothing lost


@pytest.mark.django_db(transaction=True)
def test_admin_retry_sends_a_failed_message():
    with override_settings(SMS_BACKEND="tests.notifications.test_outbox.BrokenBackend"):
        message = actions.enqueue(channel=MessageChannel.SMS, to="+33612345678", body="Rappel")
        OutboxMessage.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    actions.retry_now(OutboxMessage.objects.get(pk=message.pk))
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.SENT
    assert len(LocmemBackend.outbox) == 1


def test_masked_recipient_hides_most_of_the_address():
    assert OutboxMessage(to="camille.martin@example.org").masked_to == "ca…@example.org"
    assert OutboxMessage(to="+33612345678").masked_to == "+336…78"


@pytest.mark.django_db(transaction=True)
def test_message_left_sending_by_a_dead_worker_is_sent_later():
    message = OutboxMessage.objects.create(
        channel=MessageChannel.SMS,
        to="+33612345678",
        body="Rappel",
        status=MessageStatus.SENDING,
        next_attempt_at=timezone.now() - actions.STUCK_AFTER * 2,
    )
    actions.deliver_due()
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.SENT
    assert len(LocmemBackend.outbox) == 1

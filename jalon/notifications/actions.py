import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import MAX_ATTEMPTS, MessageChannel, MessageStatus, OutboxMessage, backoff
from .sms import get_backend

logger = logging.getLogger(__name__)


@transaction.atomic
def enqueue(
    *,
    channel: str,
    to: str,
    body: str,
    subject: str = "",
    structure=None,
    purpose: str = "",
    dedupe_key: str | None = None,
    attachments: list[dict] | None = None,
) -> OutboxMessage:
    """Write a message to the outbox; it is sent after commit. Same dedupe_key → same message."""
    if dedupe_key:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                channel=channel,
                to=to,
                body=body,
                subject=subject,
                structure=structure,
                purpose=purpose,
                dedupe_key=dedupe_key,
                attachments=attachments or [],
            )
    except IntegrityError:
        # Another worker wrote the same dedupe_key at the same time.
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    from .tasks import deliver_task

    transaction.on_commit(lambda: deliver_task(message.pk))
    return message


def _claim(message_id: int) -> OutboxMessage | None:
    """Take the message for sending, atomically; None if someone else has it or it is done."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id,
        status__in=[MessageStatus.QUEUED, MessageStatus.RETRYING],
        next_attempt_at__lte=now,
    ).update(
        status=MessageStatus.SENDING,
        attempts=F("attempts") + 1,
        # The claim's time: deliver_due gives a message back only when its sender has been silent
        # STUCK_AFTER since then. Kept at the due time, a message that waited in the queue longer
        # than that was taken back while still being sent, and went out twice.
        next_attempt_at=now,
    )
    if not claimed:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID at every attempt: if a worker dies after the provider accepted an e-mail
    but before the outbox says so, the second copy is recognisable (mail clients fold them)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "jalon.localhost"
    return f"<outbox-{message.pk}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def _send(message: OutboxMessage) -> str:
    if message.channel == MessageChannel.SMS:
        return get_backend().send(to=message.to, body=message.body)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.to],
        headers={"Message-ID": message_id(message)},
    )
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    email.send(fail_silently=False)
    return "email"


def deliver(message_id: int) -> str:
    """Try to send one message once. Returns its status afterwards."""
    message = _claim(message_id)
    if message is None:
        return OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first() or ""
    try:
        provider_id = _send(message)
    except Exception as exc:  # noqa: BLE001 — any provider failure must be kept, not lost
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED if failed else MessageStatus.RETRYING,
            last_error=f"{type(exc).__name__}: {str(exc)[:200]}",
            next_attempt_at=timezone.now() + backoff(message.attempts),
        )
        logger.warning("outbox message %s failed (attempt %s)", message.pk, message.attempts)
        return MessageStatus.FAILED if failed else MessageStatus.RETRYING
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), provider_id=str(provider_id)[:100], last_error=""
    )
    return MessageStatus.SENT


STUCK_AFTER = timedelta(minutes=15)


def deliver_due(limit: int = 200) -> int:
    """Send every message whose time has come (new ones missed by their job, and retries)."""
    # A worker killed mid-send leaves its message "sending": give it back to the queue.
    OutboxMessage.objects.filter(
        status=MessageStatus.SENDING, next_attempt_at__lt=timezone.now() - STUCK_AFTER
    ).update(status=MessageStatus.RETRYING)
    due = list(
        OutboxMessage.objects.filter(
            status__in=[MessageStatus.QUEUED, MessageStatus.RETRYING], next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        deliver(pk)
    return len(due)


def retry_now(message: OutboxMessage) -> None:
    """An admin asks to try a failed message again."""
    OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.RETRYING, next_attempt_at=timezone.now(), attempts=0
    )
    from .tasks import deliver_task

    transaction.on_commit(lambda: deliver_task(message.pk))

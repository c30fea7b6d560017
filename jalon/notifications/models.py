from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    """1 min, 4 min, 16 min, 64 min… between attempts."""
    return timedelta(minutes=4 ** max(attempts - 1, 0))


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    RETRYING = "retrying", _("Nouvel essai prévu")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class OutboxQuerySet(models.QuerySet):
    # Not structures.OwnedQuerySet: notifications sit below structures in the layers.
    def for_structure(self, structure):
        if structure is None:
            return self.none()
        return self.filter(structure=structure)


class OutboxMessage(models.Model):
    """Every e-mail or SMS is written here first, then sent by a job (retries, backoff)."""

    structure = models.ForeignKey(
        "structures.Structure", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    channel = models.CharField(_("canal"), max_length=5, choices=MessageChannel.choices)
    to = models.CharField(_("destinataire"), max_length=254)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    attachments = models.JSONField(default=list, blank=True)
    purpose = models.CharField(_("motif"), max_length=60, blank=True)
    # Same key, same message: a job run twice cannot send twice.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["structure", "status", "-created_at"], name="outbox_structure"),
        ]

    @property
    def masked_to(self) -> str:
        """Shown to admins: enough to recognise, not to copy."""
        if "@" in self.to:
            local, _, domain = self.to.partition("@")
            return f"{local[:2]}…@{domain}"
        return f"{self.to[:4]}…{self.to[-2:]}"

"""Orientations to a programme, a partner structure or a directory service, and their answers."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.people.models import Person
from jalon.structures.models import Structure

from .referrals import Referral
from .referrers import new_key


class OrientationTarget(models.TextChoices):
    PROGRAMME = "programme", _("Programme de la structure")
    STRUCTURE = "structure", _("Structure partenaire")
    SERVICE = "service", _("Service ou formation")


class OrientationStatus(models.TextChoices):
    PROPOSED = "proposee", _("Proposée")
    ACCEPTED = "acceptee", _("Acceptée")
    REFUSED = "refusee", _("Refusée")
    STARTED = "demarree", _("Démarrée")
    FINISHED = "terminee", _("Terminée")
    EXPIRED = "expiree", _("Expirée sans réponse")
    CANCELLED = "annulee", _("Annulée")


ORIENTATION_TRANSITIONS = {
    OrientationStatus.PROPOSED: {
        OrientationStatus.ACCEPTED,
        OrientationStatus.REFUSED,
        OrientationStatus.EXPIRED,
        OrientationStatus.CANCELLED,
    },
    OrientationStatus.ACCEPTED: {OrientationStatus.STARTED, OrientationStatus.CANCELLED},
    OrientationStatus.STARTED: {OrientationStatus.FINISHED},
    OrientationStatus.REFUSED: set(),
    OrientationStatus.FINISHED: set(),
    OrientationStatus.EXPIRED: set(),
    OrientationStatus.CANCELLED: set(),
}
OPEN_ORIENTATION = [OrientationStatus.PROPOSED]


class RefusalReason(models.TextChoices):
    FULL = "complet", _("Plus de place")
    NOT_ELIGIBLE = "non_eligible", _("La personne ne remplit pas les conditions")
    NOT_ADAPTED = "inadapte", _("L'offre ne correspond pas au besoin")
    PERSON_DECLINED = "refus_personne", _("La personne a renoncé")
    UNREACHABLE = "injoignable", _("Injoignable")
    OTHER = "autre", _("Autre raison")


class OrientationQuerySet(models.QuerySet):
    def sent_by(self, structure):
        if structure is None:
            return self.none()
        return self.filter(from_structure=structure)

    def received_by(self, structure):
        if structure is None:
            return self.none()
        return self.filter(target_structure=structure)

    def for_structure(self, structure):
        if structure is None:
            return self.none()
        return self.filter(models.Q(from_structure=structure) | models.Q(target_structure=structure))


class Orientation(models.Model):
    ANSWER_VALIDITY = timedelta(days=8)
    REMIND_AFTER = timedelta(days=10)
    EXPIRE_AFTER = timedelta(days=30)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="orientations")
    from_structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="orientations_sent")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="orientations_sent"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="orientations"
    )
    target_kind = models.CharField(_("vers"), max_length=10, choices=OrientationTarget.choices)
    target_structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure destinataire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orientations_received",
    )
    target_service = models.ForeignKey(
        "directory.Service",
        verbose_name=_("service de l'annuaire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orientations",
    )
    # The programme, service or training by name (free text until programmes exist).
    target_label = models.CharField(_("programme, service ou formation"), max_length=255, blank=True)
    target_email = models.EmailField(_("e-mail du destinataire"), blank=True)
    motive = models.TextField(_("motif de l'orientation"))
    # What the person agreed to pass on: their name and phone or e-mail.
    share_contact = models.BooleanField(_("la personne accepte que ses coordonnées soient transmises"))
    status = models.CharField(
        _("statut"), max_length=10, choices=OrientationStatus.choices, default="proposee"
    )
    refusal_reason = models.CharField(
        _("motif du refus"), max_length=16, choices=RefusalReason.choices, blank=True
    )
    answer_note = models.TextField(_("réponse"), blank=True)
    answered_by_name = models.CharField(max_length=120, blank=True)
    answer_key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = OrientationQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["from_structure", "status", "-created_at"], name="orientation_sent"),
            models.Index(fields=["target_structure", "status", "-created_at"], name="orientation_received"),
            models.Index(fields=["status", "created_at"], name="orientation_due"),
            models.Index(fields=["person", "-created_at"], name="orientation_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_structure__isnull=False) | ~models.Q(target_label=""),
                name="orientation_has_target",
            ),
        ]

    def __str__(self):
        return f"Orientation {self.pk} vers {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.target_structure_id and self.target_label:
            return f"{self.target_label} ({self.target_structure})"
        return self.target_label or str(self.target_structure)

    def can_move_to(self, status: str) -> bool:
        return status in ORIENTATION_TRANSITIONS.get(self.status, set())

    @property
    def expires_at(self):
        return self.created_at + self.EXPIRE_AFTER

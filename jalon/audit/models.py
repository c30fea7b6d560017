from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    READ = "read", _("Consultation")
    READ_SENSITIVE = "read_sensitive", _("Consultation d'une information sensible")
    CREATE = "create", _("Création")
    UPDATE = "update", _("Modification")
    DELETE = "delete", _("Suppression")
    EXPORT = "export", _("Export")
    CONSENT = "consent", _("Consentement")
    LOGIN = "login", _("Connexion réussie")
    LOGIN_FAILED = "login_failed", _("Échec de connexion")
    ADMIN = "admin", _("Administration")


class Via(models.TextChoices):
    """How the change or read reached Jalon: counted in GDPR answers, so one word per channel."""

    WEB = "web", _("Page")
    API = "api", _("API")
    LINK = "link", _("Lien sans compte")
    JOB = "job", _("Tâche automatique")


class AuditEventQuerySet(models.QuerySet):
    # Not structures.OwnedQuerySet: audit sits below structures in the layers.
    def for_structure(self, structure):
        """Events written while working for `structure` (its journal)."""
        if structure is None:
            return self.none()
        return self.filter(structure=structure)


class AuditEvent(models.Model):
    """Who read or changed what, where and when. Never holds the data itself, only field names."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    structure = models.ForeignKey(
        "structures.Structure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.WEB)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["structure", "-at"], name="audit_structure_at"),
            models.Index(fields=["person", "-at"], name="audit_person_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

"""Programmes, their stages, sessions and enrolments (issue 5, first part: the enrolment rules).

A programme belongs to one or several structures (co-run, as POP and O'Clock do). A session is a
dated occurrence of a stage with a capacity; an enrolment holds a seat or a rank on the waiting
list. The rules live in jalon.programmes.actions; see docs/decisions/0005-parcours-plan.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.people.models import Person
from jalon.structures.models import Structure


class Programme(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owners = models.ManyToManyField(
        Structure, related_name="programmes", verbose_name=_("structures qui le portent")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("programme")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class StageKind(models.TextChoices):
    WORKSHOP = "atelier", _("atelier découverte")
    JOB_DISCOVERY = "decouverte_metier", _("matinée découverte des métiers")
    BOOTCAMP = "bootcamp", _("bootcamp")
    SIMULATOR = "simulateur", _("simulateur d'entreprise")
    MODULE = "module", _("module de formation")
    QUALIFYING = "qualifiante", _("formation qualifiante")
    FOLLOW_UP = "suivi", _("suivi")


class Stage(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("ordre"))
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type d'étape"), max_length=20, choices=StageKind.choices)
    description = models.TextField(_("description"), blank=True)
    typical_days = models.PositiveSmallIntegerField(_("durée habituelle (jours)"), null=True, blank=True)

    class Meta:
        verbose_name = _("étape")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="stage_position_unique")
        ]

    def __str__(self):
        return self.name


class Session(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="sessions")
    starts_on = models.DateField(_("début"))
    capacity = models.PositiveIntegerField(_("places"))
    waiting_list = models.BooleanField(_("liste d'attente"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("session")
        ordering = ["starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive")]

    def __str__(self):
        return f"{self.stage} — {self.starts_on:%d/%m/%Y}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "inscrite", _("inscrite")
    WAITING = "attente", _("liste d'attente")
    CANCELLED = "annulee", _("annulée")


class Enrolment(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices)
    # Order on the waiting list: the smallest is promoted first. Kept after promotion, for history.
    waiting_rank = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        ordering = ["session", "created_at", "id"]
        constraints = [
            # One live enrolment per person and session; a cancelled one may be followed by another.
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~Q(status="annulee"),
                name="enrolment_one_live_per_person",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "waiting_rank"], name="enrolment_waiting")]

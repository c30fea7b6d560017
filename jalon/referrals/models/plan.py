"""The intake (point de situation) and the action plan in three levels: axis, objective, action."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.people.models import Person
from jalon.structures.models import Structure

from .referrals import Need


class PersonRecordQuerySet(models.QuerySet):
    """Rows about a person file (intake, action plan), written by one structure.

    `owned_by` gives what the structure wrote; `for_structure` what it may read: the rows about
    every file it may open, its own and those shared with it by consent (a partner reads the plan
    the referent structure wrote, as the plan page shows it).
    """

    structure_path = "structure"
    person_path = "person"

    def owned_by(self, structure):
        if structure is None:
            return self.none()
        return self.filter(**{self.structure_path: structure})

    def for_structure(self, structure):
        if structure is None:
            return self.none()
        visible = Person.objects.for_structure(structure).values("pk")
        return self.filter(**{f"{self.person_path}__in": visible})


class IntakeNeedQuerySet(PersonRecordQuerySet):
    structure_path = "intake__structure"
    person_path = "intake__person"


class PlanObjectiveQuerySet(PersonRecordQuerySet):
    structure_path = "axis__structure"
    person_path = "axis__person"


class Priority(models.IntegerChoices):
    HIGH = 1, _("Prioritaire")
    MEDIUM = 2, _("Important")
    LOW = 3, _("Plus tard")


class Intake(models.Model):
    """A "point de situation": the needs across life domains, at a date, by a case worker."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="intakes")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(
        _("synthèse"),
        blank=True,
        help_text=_("Pas d'information de santé ici : utilisez les notes sensibles."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("point de situation")
        ordering = ["-held_on", "-id"]


class IntakeNeed(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="needs")
    domain = models.CharField(_("domaine"), max_length=12, choices=Need.choices)
    priority = models.PositiveSmallIntegerField(
        _("priorité"), choices=Priority.choices, default=Priority.MEDIUM
    )
    detail = models.CharField(_("précisions"), max_length=255, blank=True)

    objects = IntakeNeedQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "domain"]
        constraints = [models.UniqueConstraint(fields=["intake", "domain"], name="intakeneed_unique_domain")]


class PlanAxis(models.Model):
    """Level 1 of the action plan (e.g. "Retrouver un emploi")."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="plan_axes")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("axe"), max_length=200)
    domain = models.CharField(_("domaine"), max_length=12, choices=Need.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]


class PlanObjective(models.Model):
    axis = models.ForeignKey(PlanAxis, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objectif"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = PlanObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]


class PlanAction(models.Model):
    objective = models.ForeignKey(PlanObjective, on_delete=models.CASCADE, related_name="actions")
    # Denormalised so "my due actions" is one indexed query, without joining up the plan.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("action"), max_length=200)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("qui s'en occupe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["structure", "owner", "done_at", "due_on"], name="planaction_due")]

"""Shared places, permanences (rota), appointments and their participants.

A place (Gare à idées' office) belongs to the structure that runs it; that structure keeps the
rota of permanences, each held by itself or a partner structure, which cut into bookable slots.
An appointment belongs to the structure that holds it: the place's owner sees the rota and the
busy slots of its partners, never their participants.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.people.models import Person
from jalon.structures.models import Commune, OwnedQuerySet, Structure


def new_uid() -> str:
    return secrets.token_hex(16)


class PlaceQuerySet(models.QuerySet):
    def owned_by(self, structure):
        """The places the structure runs (it keeps their rota)."""
        if structure is None:
            return self.none()
        return self.filter(structure=structure)

    def for_structure(self, structure):
        """The places a structure may use: its own, and those where it holds a permanence."""
        if structure is None:
            return self.none()
        return self.filter(models.Q(structure=structure) | models.Q(permanences__host=structure)).distinct()


class Place(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(_("nom du lieu"), max_length=200)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    access_notes = models.CharField(_("accès"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("lieu")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["structure", "name"], name="place_unique_name")]

    def __str__(self):
        return self.name

    @property
    def full_address(self) -> str:
        parts = [self.address, self.commune.name if self.commune_id else ""]
        return ", ".join(p for p in parts if p)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class PermanenceQuerySet(models.QuerySet):
    def owned_by(self, structure):
        """The rota the structure keeps: permanences held at its places, by itself or a partner."""
        if structure is None:
            return self.none()
        return self.filter(place__structure=structure)

    def held_by(self, structure):
        """The permanences the structure holds itself (its bookable slots), wherever the place."""
        if structure is None:
            return self.none()
        return self.filter(host=structure)

    def for_structure(self, structure):
        """Permanences the structure sees: held at its places, or held by itself elsewhere."""
        if structure is None:
            return self.none()
        return self.filter(models.Q(place__structure=structure) | models.Q(host=structure))


class Permanence(models.Model):
    """Every week on the same day, a structure receives people at the place, in slots."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="permanences")
    # Who holds it: the place's owner or one of its partners.
    host = models.ForeignKey(
        Structure,
        verbose_name=_("structure qui tient la permanence"),
        on_delete=models.CASCADE,
        related_name="permanences",
    )
    label = models.CharField(_("intitulé"), max_length=200)
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    slot_minutes = models.PositiveSmallIntegerField(_("durée d'un créneau (minutes)"), default=30)
    valid_from = models.DateField(_("à partir du"))
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    self_booking = models.BooleanField(_("réservable par la personne elle-même"), default=True)

    objects = PermanenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("permanence")
        ordering = ["weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="permanence_ends_after"
            ),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5) & models.Q(slot_minutes__lte=240),
                name="permanence_slot",
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_weekday_display()})"

    def runs_on(self, day) -> bool:
        return (
            day.weekday() == self.weekday
            and day >= self.valid_from
            and (self.valid_until is None or day <= self.valid_until)
        )

    def slots_on(self, day) -> list[datetime]:
        """Start times of the slots on a day the permanence runs (aware, local time)."""
        if not self.runs_on(day):
            return []
        tz = timezone.get_current_timezone()
        start = datetime.combine(day, self.start_time, tzinfo=tz)
        end = datetime.combine(day, self.end_time, tzinfo=tz)
        step = timedelta(minutes=self.slot_minutes)
        slots = []
        while start + step <= end:
            slots.append(start)
            start += step
        return slots


class AppointmentKind(models.TextChoices):
    INDIVIDUAL = "individuel", _("Individuel")
    COLLECTIVE = "collectif", _("Collectif (information collective, atelier)")


class Appointment(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("type"), max_length=10, choices=AppointmentKind.choices, default="individuel")
    title = models.CharField(_("objet"), max_length=200)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.ForeignKey(
        Place,
        verbose_name=_("lieu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    permanence = models.ForeignKey(
        Permanence, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    location_note = models.CharField(_("précisions sur le lieu"), max_length=255, blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), default=1)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reçu·e par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped when the time or place changes, so a new invitation is not taken for a duplicate.
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    uid = models.CharField(max_length=40, unique=True, default=new_uid, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["structure", "starts_at", "id"], name="appointment_agenda"),
            models.Index(fields=["place", "starts_at"], name="appointment_place"),
            models.Index(fields=["permanence", "starts_at"], name="appointment_permanence"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="appointment_capacity"),
            # A permanence's slot is booked once: two people clicking the same slot cannot both get it.
            models.UniqueConstraint(
                fields=["permanence", "starts_at"],
                condition=models.Q(permanence__isnull=False, cancelled_at__isnull=True),
                name="appointment_slot_once",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def where(self) -> str:
        """The place as written in messages and calendars: name, address, then the note."""
        parts = [self.place.name, self.place.full_address] if self.place_id else []
        text = ", ".join(part for part in parts if part)
        if self.location_note:
            text = f"{text} ({self.location_note})" if text else self.location_note
        return text


class Outcome(models.TextChoices):
    PENDING = "a_venir", _("À venir")
    SEEN = "vu", _("Vu·e")
    EXCUSED = "excuse", _("Excusé·e")
    ABSENT = "absent", _("Absent·e")
    # The appointment itself did not happen (the case worker was ill, the room was shut…):
    # neither the person's absence nor their attendance, so the no-show rate leaves it out.
    NOT_HELD = "non_tenu", _("N'a pas eu lieu")


class ParticipantQuerySet(OwnedQuerySet):
    """Participants of the structure's appointments (a partner sees busy slots, not people)."""

    structure_path = "appointment__structure"

    def of_person(self, person):
        """A person's appointments: booked for their file, or for a referral welcomed into it since.

        A referral keeps its own participations (invited under the referral's consent); the file
        reads them through the referral, so one person has one history wherever the work started.
        """
        return self.filter(models.Q(person=person) | models.Q(referral__person=person))


class Participant(models.Model):
    """Someone expected at an appointment: a person file, or a referral not yet welcomed."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="appointment_participations"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="participations"
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    outcome = models.CharField(_("présence"), max_length=8, choices=Outcome.choices, default="a_venir")
    outcome_at = models.DateTimeField(null=True, blank=True, editable=False)
    booked_by_self = models.BooleanField(default=False, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant·e")
        ordering = ["appointment_id", "id"]
        indexes = [
            models.Index(fields=["outcome", "reminded_at"], name="participant_to_remind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "person"],
                condition=models.Q(person__isnull=False),
                name="participant_once",
            ),
            models.UniqueConstraint(
                fields=["appointment", "referral"],
                condition=models.Q(referral__isnull=False),
                name="participant_referral_once",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from jalon.agenda.models import AppointmentKind, Outcome, Permanence, Place
from jalon.agenda.selectors import places_for
from jalon.structures.models import Structure
from jalon.www.referrals.forms import members_of

DURATIONS = [
    (15, "15 minutes"),
    (30, "30 minutes"),
    (45, "45 minutes"),
    (60, "1 heure"),
    (90, "1 h 30"),
    (120, "2 heures"),
    (180, "3 heures"),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class AppointmentForm(forms.Form):
    slot = forms.ChoiceField(label="Créneau libre d'une permanence", required=False)
    kind = forms.ChoiceField(
        label="Type", choices=AppointmentKind.choices, initial=AppointmentKind.INDIVIDUAL
    )
    title = forms.CharField(label="Objet", max_length=200, initial="Premier accueil")
    day = forms.DateField(label="Date", required=False, widget=DateInput())
    start = forms.TimeField(label="Heure", required=False, widget=TimeInput())
    duration = forms.TypedChoiceField(label="Durée", choices=DURATIONS, coerce=int, initial=45)
    place = forms.ModelChoiceField(
        label="Lieu", queryset=Place.objects.none(), required=False, empty_label="Autre lieu ou par téléphone"
    )
    location_note = forms.CharField(
        label="Précisions sur le lieu",
        max_length=255,
        required=False,
        help_text="Par exemple : salle 2, ou « rendez-vous téléphonique ».",
    )
    capacity = forms.IntegerField(
        label="Places (rendez-vous collectif)", min_value=1, max_value=500, initial=12, required=False
    )
    invite = forms.BooleanField(
        label="Envoyer l'invitation (SMS ou e-mail, avec le fichier agenda)", required=False, initial=True
    )

    def __init__(self, *args, structure, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_for(structure).order_by("name")
        self.fields["slot"].choices = [("", "Aucun : je choisis la date et l'heure")] + [
            (slot.key, f"{slot_label(slot)} — {slot.permanence.place.name}") for slot in slots
        ]

    def clean(self):
        data = super().clean()
        if not data.get("slot"):
            if not data.get("day"):
                self.add_error("day", "Indiquez la date, ou choisissez un créneau libre.")
            if not data.get("start"):
                self.add_error("start", "Indiquez l'heure.")
            starts_at = _starts_at(data)
            if starts_at is not None:
                data["starts_at"] = starts_at
                data["ends_at"] = starts_at + timedelta(minutes=data.get("duration") or 45)
        return data


def _starts_at(data) -> datetime | None:
    """The date and hour typed, read in the structure's time zone (Europe/Paris)."""
    if data.get("day") and data.get("start"):
        return datetime.combine(data["day"], data["start"], tzinfo=timezone.get_current_timezone())
    return None


def _duration_choices(minutes: int | None) -> list[tuple[int, str]]:
    choices = list(DURATIONS)
    if minutes and minutes not in dict(choices):
        choices.append((minutes, f"{minutes} minutes"))
        choices.sort()
    return choices


class WhenForm(forms.Form):
    """Day, time and length read as the appointment's start and end (edit and past appointment)."""

    def clean(self):
        data = super().clean()
        starts_at = _starts_at(data)
        if starts_at is not None:
            data["starts_at"] = starts_at
            data["ends_at"] = starts_at + timedelta(minutes=data.get("duration") or 45)
        return data


class AppointmentEditForm(WhenForm):
    """Change the date, place or staff of an appointment; the person is told once, if it is to come."""

    day = forms.DateField(label="Date", widget=DateInput())
    start = forms.TimeField(label="Heure", widget=TimeInput())
    duration = forms.TypedChoiceField(label="Durée", choices=DURATIONS, coerce=int)
    title = forms.CharField(label="Objet", max_length=200)
    place = forms.ModelChoiceField(
        label="Lieu", queryset=Place.objects.none(), required=False, empty_label="Autre lieu ou par téléphone"
    )
    location_note = forms.CharField(label="Précisions sur le lieu", max_length=255, required=False)
    organiser = forms.ModelChoiceField(
        label="Reçu·e par", queryset=None, required=False, empty_label="Personne en particulier"
    )

    def __init__(self, *args, structure, appointment, **kwargs):
        start = timezone.localtime(appointment.starts_at)
        minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
        kwargs.setdefault(
            "initial",
            {
                "day": start.date(),
                "start": start.time().replace(second=0, microsecond=0),
                "duration": minutes,
                "title": appointment.title,
                "place": appointment.place_id,
                "location_note": appointment.location_note,
                "organiser": appointment.organiser_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["duration"].choices = _duration_choices(minutes)
        self.fields["place"].queryset = places_for(structure).order_by("name")
        self.fields["organiser"].queryset = members_of(structure)
        self.fields["organiser"].label_from_instance = lambda user: user.get_full_name() or user.email


PAST_OUTCOMES = [
    (Outcome.SEEN, "La personne est venue"),
    (Outcome.ABSENT, "La personne n'est pas venue et n'a pas prévenu"),
    (Outcome.EXCUSED, "La personne a prévenu qu'elle ne pouvait pas venir"),
    (Outcome.NOT_HELD, "Le rendez-vous n'a pas eu lieu"),
]


class PastAppointmentForm(WhenForm):
    """An appointment that already took place: noted for the history, nothing is sent."""

    day = forms.DateField(label="Date", widget=DateInput())
    start = forms.TimeField(label="Heure", widget=TimeInput())
    duration = forms.TypedChoiceField(label="Durée", choices=DURATIONS, coerce=int, initial=45)
    title = forms.CharField(label="Objet", max_length=200, initial="Accueil")
    outcome = forms.ChoiceField(
        label="Ce qui s'est passé", choices=PAST_OUTCOMES, initial=Outcome.SEEN, widget=forms.RadioSelect
    )
    place = forms.ModelChoiceField(
        label="Lieu", queryset=Place.objects.none(), required=False, empty_label="Autre lieu ou par téléphone"
    )
    location_note = forms.CharField(label="Précisions sur le lieu", max_length=255, required=False)

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_for(structure).order_by("name")


def slot_label(slot) -> str:
    from django.utils.text import capfirst

    from jalon.text import long_date

    return capfirst(long_date(slot.starts_at, "l j F à H\\hi"))


class PlaceForm(forms.Form):
    name = forms.CharField(label="Nom du lieu", max_length=200)
    address = forms.CharField(label="Adresse", max_length=255, required=False)
    access_notes = forms.CharField(
        label="Accès", max_length=255, required=False, help_text="Étage, accessibilité, transports…"
    )


class PermanenceForm(forms.ModelForm):
    class Meta:
        model = Permanence
        fields = [
            "host",
            "label",
            "weekday",
            "start_time",
            "end_time",
            "slot_minutes",
            "valid_from",
            "valid_until",
            "self_booking",
        ]
        widgets = {
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "valid_from": DateInput(),
            "valid_until": DateInput(),
        }

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        partners = structure.partner_structures().values("pk")
        self.fields["host"].queryset = Structure.objects.filter(pk=structure.pk) | Structure.objects.filter(
            pk__in=partners
        )
        self.fields["host"].empty_label = None
        self.fields["host"].required = False  # defaults to the place's own structure
        self.fields["slot_minutes"].min_value = 5
        self.fields["slot_minutes"].max_value = 240
        self.fields["valid_from"].initial = timezone.localdate()

    def _post_clean(self):
        # The domain action validates (partner, overlap); skip the model's own checks here.
        pass


class BookingForm(forms.Form):
    slot = forms.ChoiceField(label="Choisissez un créneau", widget=forms.RadioSelect)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s.key, f"{slot_label(s)} — {s.permanence.place.name}") for s in slots]
        self.fields["slot"].error_messages["invalid_choice"] = (
            "Ce créneau n'est plus libre. Choisissez-en un autre."
        )

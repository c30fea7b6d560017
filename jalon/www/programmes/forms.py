from datetime import datetime

from django import forms
from django.utils import timezone

from jalon.programmes.models import (
    EXIT_SUBTYPES,
    LEFT_REASON_NEUTRAL,
    AttendanceStatus,
    ExitCategory,
    RuleKind,
    Stage,
    StageKind,
)


def _date_input():
    # ISO format: a browser's date field shows nothing for "30/11/2026".
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.Form):
    name = forms.CharField(label="Nom du programme", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_template = forms.BooleanField(label="Modèle que d'autres structures peuvent copier", required=False)


class CopyForm(forms.Form):
    name = forms.CharField(label="Nom de la copie", max_length=200)


class StageForm(forms.Form):
    name = forms.CharField(label="Nom de l'étape", max_length=200)
    kind = forms.ChoiceField(label="Type d'étape", choices=StageKind.choices)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    typical_days = forms.IntegerField(
        label="Durée habituelle (jours)", required=False, min_value=1, max_value=730
    )
    capacity = forms.IntegerField(label="Places habituelles", required=False, min_value=1, max_value=500)


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label="Condition d'entrée", choices=RuleKind.choices)
    count = forms.IntegerField(label="Nombre de séances", required=False, min_value=1, max_value=100)
    of_stage = forms.ModelChoiceField(label="De l'étape", queryset=Stage.objects.none(), required=False)

    def __init__(self, *args, stage=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stage is not None:
            self.fields["of_stage"].queryset = stage.programme.stages.exclude(pk=stage.pk).order_by(
                "position"
            )


SLOT_HELP = (
    "Une ligne par demi-journée : 2027-01-11 09:00-12:30, puis si besoin son titre "
    "et son thème séparés par « ; » (2027-01-11 09:00-12:30 Découvrir le code ; Développement web)"
)


class SessionForm(forms.Form):
    title = forms.CharField(
        label="Titre",
        max_length=200,
        required=False,
        help_text="Si le nom de l'étape ne suffit pas. Exemple : Créer sa boîte mail.",
    )
    topic = forms.CharField(label="Thème", max_length=120, required=False, help_text="Exemple : e-mail.")
    slots = forms.CharField(
        label="Créneaux",
        help_text=SLOT_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=500)
    waiting_list = forms.BooleanField(
        label="Liste d'attente quand c'est complet", required=False, initial=True
    )
    place = forms.CharField(label="Lieu", max_length=200, required=False)
    remote_url = forms.URLField(label="Lien de visio", required=False, assume_scheme="https")

    def clean_slots(self):
        parsed = []
        for number, line in enumerate(self.cleaned_data["slots"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                day, hours, *words = line.split(maxsplit=2)
                start, end = hours.split("-")
                starts_at = timezone.make_aware(datetime.fromisoformat(f"{day} {start}"))
                ends_at = timezone.make_aware(datetime.fromisoformat(f"{day} {end}"))
            except ValueError:
                raise forms.ValidationError(f"Ligne {number} illisible. {SLOT_HELP}.") from None
            if ends_at <= starts_at:
                raise forms.ValidationError(f"Ligne {number} : le créneau doit finir après son début.")
            title, _, topic = (words[0] if words else "").partition(";")
            title, topic = title.strip(), topic.strip()
            if len(title) > 200 or len(topic) > 120:
                raise forms.ValidationError(
                    f"Ligne {number} : titre de 200 caractères au plus, thème de 120 au plus."
                )
            parsed.append((starts_at, ends_at, title, topic))
        if not parsed:
            raise forms.ValidationError(f"Ajoutez au moins un créneau. {SLOT_HELP}.")
        if len(parsed) > 120:
            raise forms.ValidationError("120 créneaux au plus par session.")
        return parsed


class FinishForm(forms.Form):
    ended_on = forms.DateField(label="Date de fin", widget=_date_input())
    reason = forms.ChoiceField(
        label="Issue",
        # One list for every row: words that agree with no one ("A quitté l'étape", "réorientation").
        choices=[("", "Étape terminée")]
        + [(v, f"A quitté l'étape : {label}") for v, label in LEFT_REASON_NEUTRAL.items()],
        required=False,
    )


def _subtype_choices():
    return [
        (
            category.label,
            [(f"{category.value}:{code}", label) for code, label in EXIT_SUBTYPES[category].items()],
        )
        for category in ExitCategory
    ]


class ExitForm(forms.Form):
    programme = forms.TypedChoiceField(label="Programme", coerce=int)
    kind = forms.ChoiceField(label="Sortie", choices=_subtype_choices)
    exited_on = forms.DateField(label="Date de sortie", widget=_date_input())

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.pk, p.name) for p in programmes]

    def clean_kind(self):
        category, _, subtype = self.cleaned_data["kind"].partition(":")
        return category, subtype


class TeamsForm(forms.Form):
    teams = forms.IntegerField(label="Nombre d'équipes", min_value=2, max_value=50)


ROLL_CHOICES = AttendanceStatus.choices


class PeriodForm(forms.Form):
    debut = forms.DateField(label="Du", required=False, widget=_date_input())
    fin = forms.DateField(label="Au", required=False, widget=_date_input())

    def clean(self):
        data = super().clean()
        if data.get("debut") and data.get("fin") and data["fin"] < data["debut"]:
            raise forms.ValidationError("La fin de la période doit suivre son début.")
        return data

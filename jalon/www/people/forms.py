from django import forms
from django.contrib.auth import get_user_model

from jalon.people.actions import EDITABLE_FIELDS
from jalon.people.models import (
    AgeBand,
    ConsentMethod,
    ConsentPurpose,
    EmploymentStatus,
    Person,
    SensitiveCategory,
)
from jalon.structures.models import Structure
from jalon.www.fields import CommuneField, PhoneField, ShortModelChoiceField

YES_NO_UNKNOWN = [("", "Je ne sais pas"), ("true", "Oui"), ("false", "Non")]


def _nullable_bool(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_UNKNOWN,
        required=False,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
        widget=forms.RadioSelect,
    )


class PersonForm(forms.ModelForm):
    phone = PhoneField(label="Téléphone", required=False)
    commune = CommuneField(label="Commune", required=False)
    has_smartphone = _nullable_bool("A un smartphone")
    has_computer = _nullable_bool("A un ordinateur")
    has_internet = _nullable_bool("A internet à la maison")

    class Meta:
        model = Person
        fields = EDITABLE_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "france_travail_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, structure: Structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = (
            get_user_model()
            .objects.filter(memberships__structure=structure, memberships__is_active=True)
            .order_by("last_name", "first_name")
        )
        self.fields["referent"].label_from_instance = lambda user: user.get_full_name() or user.email
        for name in ["has_smartphone", "has_computer", "has_internet"]:
            value = self.initial.get(name)
            self.initial[name] = {True: "true", False: "false"}.get(value, "")
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not self.errors:
            self.add_error(
                None,
                "Indiquez au moins un téléphone ou un e-mail : sans eux, on ne peut pas recontacter la personne.",
            )
        return cleaned


class PersonCreateForm(PersonForm):
    accompaniment_consent = forms.BooleanField(
        label="La personne accepte d'être accompagnée et que ses informations soient gardées",
        required=True,
        error_messages={"required": "Il faut l'accord de la personne pour créer son dossier."},
    )
    consent_method = forms.ChoiceField(
        label="Comment cet accord a été donné", choices=ConsentMethod.choices, initial=ConsentMethod.ORAL
    )
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Situation", required=False, choices=[("", "Toutes")] + list(EmploymentStatus.choices)
    )
    age = forms.ChoiceField(label="Âge", required=False, choices=[("", "Tous")] + list(AgeBand.choices))
    mine = forms.BooleanField(label="Seulement les personnes que je suis", required=False)
    scope = forms.ChoiceField(
        label="Dossiers",
        required=False,
        choices=[("", "De ma structure"), ("shared", "Partagés avec ma structure")],
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label="Accord pour", choices=ConsentPurpose.choices)
    target_structure = ShortModelChoiceField(
        label="Structure destinataire (pour un partage)", queryset=Structure.objects.none(), required=False
    )
    method = forms.ChoiceField(label="Comment cet accord a été donné", choices=ConsentMethod.choices)

    def __init__(self, *args, structure: Structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_structure"].queryset = structure.partner_structures()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("purpose") == ConsentPurpose.SHARING and not cleaned.get("target_structure"):
            self.add_error("target_structure", "Choisissez la structure avec qui partager le dossier.")
        return cleaned


class SensitiveNoteForm(forms.Form):
    category = forms.ChoiceField(label="Catégorie", choices=SensitiveCategory.choices)
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Seulement ce qui est utile pour accompagner la personne.",
    )

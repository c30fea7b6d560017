from django import forms
from django.contrib.auth import get_user_model

from jalon.referrals.models import (
    ClosedReason,
    Need,
    OrientationStatus,
    OrientationTarget,
    Priority,
    ReferralStatus,
    Referrer,
    RefusalReason,
)
from jalon.www.fields import CommuneField, PhoneField


def members_of(structure):
    return (
        get_user_model()
        .objects.filter(memberships__structure=structure, memberships__is_active=True)
        .order_by("last_name", "first_name")
    )


def _user_label(user):
    return user.get_full_name() or user.email


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label="Nom ou téléphone",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "À traiter"), ("toutes", "Toutes")] + list(ReferralStatus.choices),
    )
    qui = forms.ChoiceField(
        label="Suivies par",
        required=False,
        choices=[("", "Tout le monde"), ("moi", "Moi"), ("personne", "Personne encore")],
    )


class StaffReferralForm(forms.Form):
    """A referral taken by phone or at the front desk."""

    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100, required=False)
    phone = PhoneField(label="Téléphone", required=False)
    email = forms.EmailField(label="E-mail", required=False)
    commune = CommuneField(label="Commune", required=False)
    needs = forms.MultipleChoiceField(
        label="Besoins", choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    referrer = forms.ModelChoiceField(
        label="Envoyée par (relais)", queryset=Referrer.objects.none(), required=False
    )
    message = forms.CharField(
        label="Ce que la personne demande", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contact_consent = forms.BooleanField(
        label="La personne est d'accord pour que nous la contactions",
        error_messages={"required": "L'accord de la personne pour être contactée est obligatoire."},
    )

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrer"].queryset = Referrer.objects.for_structure(structure).filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("phone")
            and not cleaned.get("email")
            and not {"phone", "email"} & set(self.errors)
        ):
            self.add_error("phone", "Indiquez un téléphone ou une adresse e-mail pour rappeler la personne.")
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=ReferralStatus.choices)
    closed_reason = forms.ChoiceField(
        label="Motif (si sans suite)", choices=[("", "—")] + list(ClosedReason.choices), required=False
    )
    note = forms.CharField(
        label="Note", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label="Confier à", queryset=None, required=False, empty_label="Personne"
    )

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = members_of(structure)
        self.fields["assigned_to"].label_from_instance = _user_label


class WelcomeForm(forms.Form):
    """Open a file from the referral, or attach it to a file the structure already has."""

    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    last_name = forms.CharField(label="Nom de famille", max_length=100, required=False)
    birth_date = forms.DateField(
        label="Date de naissance", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class IntakeForm(forms.Form):
    held_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    summary = forms.CharField(
        label="Synthèse",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pas d'information de santé ici : utilisez les informations sensibles.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One priority select per life domain: "—" means no need in that domain.
        for code, label in Need.choices:
            self.fields[f"need_{code}"] = forms.TypedChoiceField(
                label=label,
                choices=[("", "Pas de besoin")] + list(Priority.choices),
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"detail_{code}"] = forms.CharField(
                label=f"Précisions : {label}", max_length=255, required=False
            )

    def domain_rows(self):
        return [(self[f"need_{code}"], self[f"detail_{code}"]) for code, _ in Need.choices]

    def needs(self) -> list[dict]:
        return [
            {
                "domain": code,
                "priority": self.cleaned_data[f"need_{code}"],
                "detail": self.cleaned_data[f"detail_{code}"],
            }
            for code, _ in Need.choices
            if self.cleaned_data.get(f"need_{code}")
        ]


class AxisForm(forms.Form):
    title = forms.CharField(label="Axe", max_length=200, help_text="Par exemple : retrouver un emploi.")
    domain = forms.ChoiceField(label="Domaine", choices=[("", "—")] + list(Need.choices), required=False)


class ObjectiveForm(forms.Form):
    axis = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="Objectif", max_length=200)


NO_OWNER_LABEL = "Personne en particulier"


def owner_choices(structure) -> list[tuple[int | str, str]]:
    """Who may own a plan action: the active members of the structure, read in one query."""
    return [("", NO_OWNER_LABEL)] + [(user.pk, _user_label(user)) for user in members_of(structure)]


class PlanActionForm(forms.Form):
    objective = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="Action", max_length=200)
    due_on = forms.DateField(label="Échéance", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(
        label="Qui s'en occupe", queryset=None, required=False, empty_label=NO_OWNER_LABEL
    )

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(structure)
        self.fields["owner"].label_from_instance = _user_label


class OrientationForm(forms.Form):
    target_kind = forms.ChoiceField(
        label="Orienter vers", choices=OrientationTarget.choices, widget=forms.RadioSelect
    )
    target_structure = forms.ModelChoiceField(
        label="Structure partenaire", queryset=None, required=False, empty_label="Aucune (texte libre)"
    )
    target_service = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    target_label = forms.CharField(
        label="Programme, service ou formation",
        max_length=255,
        required=False,
        help_text="Le nom du programme, du service ou de la formation.",
    )
    target_email = forms.EmailField(
        label="E-mail du destinataire",
        required=False,
        help_text="Il recevra un lien pour répondre sans compte. Sinon, l'e-mail de la structure est utilisé.",
    )
    motive = forms.CharField(
        label="Pourquoi cette orientation", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    share_contact = forms.BooleanField(
        label="La personne accepte que son nom et ses coordonnées soient transmis au destinataire",
        required=False,
    )

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_structure"].queryset = structure.partner_structures().order_by("name")
        from jalon.directory.models import Service

        self.fields["target_service"].queryset = Service.objects.all()


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="Votre réponse",
        choices=[("oui", "J'accepte d'accompagner la personne"), ("non", "Je ne peux pas l'accompagner")],
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.ChoiceField(
        label="Raison du refus", choices=[("", "—")] + list(RefusalReason.choices), required=False
    )
    note = forms.CharField(
        label="Message pour la structure",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "non" and not cleaned.get("refusal_reason"):
            self.add_error("refusal_reason", "Indiquez la raison du refus.")
        return cleaned


class PublicAnswerForm(AnswerForm):
    answered_by_name = forms.CharField(label="Votre nom", max_length=120)


class MoveForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (OrientationStatus.STARTED, "Démarrée"),
            (OrientationStatus.FINISHED, "Terminée"),
            (OrientationStatus.CANCELLED, "Annulée"),
        ]
    )

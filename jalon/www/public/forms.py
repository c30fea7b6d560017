from django import forms

from jalon.referrals.actions import CONTACT_CONSENT_TEXT, SELF_CONTACT_CONSENT_TEXT
from jalon.referrals.models import Need
from jalon.structures import communes


class PublicReferralForm(forms.Form):
    """One minute on a phone: who, how to reach them, what they need, and their consent."""

    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom (si vous le connaissez)", max_length=100, required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    commune = forms.CharField(
        label="Commune", max_length=160, required=False, help_text="Le nom de la commune ou son code postal."
    )
    needs = forms.MultipleChoiceField(
        label="De quoi a-t-elle besoin ?",
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    best_time = forms.CharField(label="Quand l'appeler ?", max_length=100, required=False)
    referrer_note = forms.CharField(
        label="Un mot pour la structure (facultatif)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contact_consent = forms.BooleanField(
        label=CONTACT_CONSENT_TEXT[1],
        error_messages={"required": "Il faut l'accord de la personne pour qu'on la contacte."},
    )
    share_outcome = forms.BooleanField(label="La personne accepte que je connaisse la suite", required=False)
    # Honeypot: hidden from people and screen readers; robots fill every field.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args, self_referral: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.self_referral = self_referral
        self.fields["first_name"].widget.attrs["autocomplete"] = "off" if not self_referral else "given-name"
        if self_referral:
            del self.fields["referrer_note"]
            del self.fields["share_outcome"]
            self.fields["first_name"].label = "Votre prénom"
            self.fields["last_name"].label = "Votre nom (facultatif)"
            self.fields["phone"].label = "Votre téléphone"
            self.fields["email"].label = "Votre e-mail"
            self.fields["needs"].label = "De quoi avez-vous besoin ?"
            self.fields["best_time"].label = "Quand vous appeler ?"
            self.fields["contact_consent"].label = SELF_CONTACT_CONSENT_TEXT[1]
            self.fields["contact_consent"].error_messages["required"] = (
                "Cochez la case pour qu'on puisse vous rappeler."
            )

    def clean_commune(self):
        value = self.cleaned_data.get("commune", "").strip()
        if not value:
            return None
        commune = communes.resolve(value)
        if commune is None:
            raise forms.ValidationError(
                "Commune introuvable, ou plusieurs portent ce nom : tapez le code postal."
            )
        return commune

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("phone", "Indiquez un téléphone ou un e-mail pour qu'on puisse rappeler.")
        return cleaned

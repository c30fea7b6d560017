from django import forms

from jalon.structures.models import Membership, Role, Structure
from jalon.www.fields import CommuneField, PhoneField


class StructureForm(forms.ModelForm):
    commune = CommuneField(label="Commune", required=False)
    phone = PhoneField(label="Téléphone", required=False)
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https")

    class Meta:
        model = Structure
        fields = [
            "name",
            "kind",
            "siret",
            "address",
            "commune",
            "phone",
            "email",
            "website",
            "description",
            "retention_months",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_siret(self):
        from jalon.structures.validators import normalize_siret

        return normalize_siret(self.cleaned_data.get("siret", ""))

    def clean_retention_months(self):
        from jalon.people.retention import check_retention_months

        months = self.cleaned_data.get("retention_months")
        try:
            check_retention_months(months)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return months


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail")
    role = forms.ChoiceField(label="Rôle", choices=Role.choices, initial=Role.CASE_WORKER)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "need_to_know", "is_active"]
        labels = {"is_active": "Membre actif·ve"}


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(label="Mot de passe", widget=forms.PasswordInput, min_length=10)
    password2 = forms.CharField(label="Mot de passe, encore une fois", widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        if cleaned.get("password1"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(cleaned["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PartnerForm(forms.Form):
    partner = forms.ModelChoiceField(label="Structure partenaire", queryset=Structure.objects.none())
    description = forms.CharField(label="Objet du partenariat", max_length=255, required=False)

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Structure.objects.exclude(pk=structure.pk).order_by("name")

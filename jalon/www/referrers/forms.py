from django import forms

from jalon.referrals.actions import REFERRER_FIELDS
from jalon.referrals.models import ProspectionEntry, Referrer, ReferrerKind
from jalon.www.fields import CommuneField, PhoneField
from jalon.www.referrals.forms import _user_label, members_of


class ReferrerForm(forms.ModelForm):
    contact_phone = PhoneField(label="Téléphone du contact", required=False)
    commune = CommuneField(label="Commune", required=False)

    class Meta:
        model = Referrer
        fields = REFERRER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = members_of(structure)
        self.fields["facilitator"].label_from_instance = _user_label
        self.fields["partner_structure"].queryset = structure.partner_structures().order_by("name")


class ProspectionForm(forms.ModelForm):
    class Meta:
        model = ProspectionEntry
        fields = ["kind", "happened_on", "note", "follow_up_on"]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class ReferrerFilterForm(forms.Form):
    q = forms.CharField(label="Nom", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Tous")] + list(ReferrerKind.choices)
    )
    etat = forms.ChoiceField(
        label="État", required=False, choices=[("", "Tous"), ("actif", "Actifs"), ("sommeil", "En sommeil")]
    )
    mine = forms.BooleanField(label="Mes relais", required=False)

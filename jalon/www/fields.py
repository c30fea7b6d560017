from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from jalon.structures import communes
from jalon.structures.phones import to_e164


class CommuneField(forms.CharField):
    """Text input with suggestions; accepts a name, a postcode or an INSEE code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 160)
        kwargs.setdefault(
            "help_text", "Tapez le nom de la commune ou son code postal, puis choisissez dans la liste."
        )
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "list": "communes-suggestions",
                "autocomplete": "off",
                "hx-get": reverse_lazy("commune_suggestions"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#communes-suggestions",
            }
        )

    def prepare_value(self, value):
        if hasattr(value, "code"):
            return communes.label(value)
        if isinstance(value, str) and len(value) == 5:
            found = communes.resolve(value)
            return communes.label(found) if found else value
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        commune = communes.resolve(value)
        if commune is None:
            raise ValidationError(
                "Commune introuvable ou ambiguë : choisissez-la dans la liste proposée.", code="commune"
            )
        return commune


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "Par exemple 06 12 34 56 78.")
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "off")

    def clean(self, value):
        return to_e164(super().clean(value))


class _ListedChoices(forms.models.ModelChoiceIterator):
    """The choices read by one plain query. Django's iterator() opens a PostgreSQL server-side
    cursor (DECLARE, FETCH, CLOSE: three round trips) for what is a handful of rows here."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ShortModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a short list (partner structures, a structure's places)."""

    iterator = _ListedChoices

"""The public directory page: anyone can search, on a phone, in French, English, Spanish,
Portuguese or Italian, and share the result page (its address holds the search)."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from jalon.directory import geo
from jalon.directory.models import Service
from jalon.directory.search import search_page
from jalon.www.fields import CommuneField

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def visitor_language(request) -> str:
    """?langue= when it names a supported language, else the browser's, else French."""
    chosen = request.GET.get("langue", "")
    if chosen in LANGUAGE_CODES:
        return chosen
    return translation.get_language_from_request(request, check_path=False)


class PublicCommuneField(CommuneField):
    """The staff field without its suggestions (they need an account), in the visitor's language."""

    def __init__(self, **kwargs):
        super().__init__(help_text=_("Son nom ou son code postal."), **kwargs)
        for attr in ("list", "hx-get", "hx-trigger", "hx-target"):
            self.widget.attrs.pop(attr, None)
        self.widget.attrs["class"] = "form-control"

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Commune introuvable : tapez son nom ou son code postal.")
            ) from None


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("Ce que vous cherchez"), required=False, max_length=200)
    commune = PublicCommuneField(label=_("Votre commune"), required=False)
    rayon = forms.TypedChoiceField(label=_("Distance"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        within = gettext("À moins de %(km)s km")
        self.fields["rayon"].choices = [("", gettext("Toute la zone"))] + [
            (km, within % {"km": km}) for km in (5, 10, 20, 50)
        ]

    def clean(self):
        data = super().clean()
        if data.get("rayon") and not data.get("commune"):
            self.add_error(
                "rayon", gettext("Choisissez d'abord votre commune : la distance se compte depuis elle.")
            )
        return data


@login_not_required
@require_GET
@vary_on_headers("Accept-Language")
def public_services(request):
    language = visitor_language(request)
    with translation.override(language):
        form = PublicSearchForm(request.GET or None)
        rows, next_cursor = [], None
        if form.is_bound and form.is_valid():
            queryset = Service.objects.select_related("structure", "commune")
            try:
                rows, next_cursor = search_page(
                    queryset,
                    form.cleaned_data.get("q", ""),
                    after=request.GET.get("apres", ""),
                    size=20,
                    commune=form.cleaned_data.get("commune"),
                    radius_km=form.cleaned_data.get("rayon"),
                )
            except geo.NoPosition:
                form.add_error(
                    "rayon",
                    gettext(
                        "Nous ne connaissons aucun lieu situé dans cette commune : cherchez sans distance."
                    ),
                )
        query = request.GET.copy()
        query.pop("apres", None)
        query["langue"] = language
        context = {
            "form": form,
            "results": [(service, *service.in_language(language)) for service in rows],
            "next_cursor": next_cursor,
            "query": query.urlencode(),
            "language": language,
            "languages": settings.LANGUAGES,
        }
        return render(request, "public/services.html", context)

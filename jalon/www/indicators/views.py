"""Indicators of repérage and accueil for the current structure: page and CSV."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jalon import exports, indicators
from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.referrals.models import OrientationStatus
from jalon.www.account.reauth import require_recent_login
from jalon.www.scoping import require

from ..agenda.forms import DateInput

MAX_DAYS = 3 * 366


class PeriodForm(forms.Form):
    du = forms.DateField(label="Du", required=False, widget=DateInput())
    au = forms.DateField(label="Au", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        default_start, default_end = indicators.default_period()
        start, end = data.get("du") or default_start, data.get("au") or default_end
        if end < start:
            raise forms.ValidationError("La date de fin doit suivre la date de début.")
        if (end - start).days > MAX_DAYS:
            raise forms.ValidationError("Choisissez une période de trois ans au plus.")
        data["start"], data["end"] = start, end
        return data


def period(request) -> tuple[PeriodForm, date, date]:
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    start, end = indicators.default_period()
    return form, start, end


def duration_fr(delay: timedelta | None) -> str:
    """A delay as a person says it: "—", "moins d'une heure", "5 h", "2,5 jours"."""
    if delay is None:
        return "—"
    hours = delay.total_seconds() / 3600
    if hours < 1:
        return "moins d'une heure"
    if hours < 48:
        return f"{round(hours)} h"
    days = f"{hours / 24:.1f}".replace(".", ",").removesuffix(",0")
    return f"{days} jours"


@require_GET
def indicators_page(request):
    membership = require(request, "people.view")
    form, start, end = period(request)
    result = (
        None
        if form.is_bound and not form.is_valid()
        else indicators.compute(membership.structure, start, end)
    )
    context = {"form": form, "result": result, "start": start, "end": end, "query": request.GET.urlencode()}
    if result is not None:
        context |= {
            "orientation_rows": [
                (label, result.orientations_sent[value], result.orientations_received[value])
                for value, label in OrientationStatus.choices
            ],
            "first_contact": duration_fr(result.median_first_contact),
            "answer_sent": duration_fr(result.median_answer_sent),
            "answer_received": duration_fr(result.median_answer_received),
            "dormant_days": settings.JALON_DORMANT_DAYS,
        }
    return render(request, "indicators/page.html", context)


@require_GET
def indicators_csv(request):
    membership = require(request, "people.view")
    require_recent_login(request)
    form, start, end = period(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            " ".join(form.non_field_errors()), status=400, content_type="text/plain; charset=utf-8"
        )
    result = indicators.compute(membership.structure, start, end)
    rows = [["indicateur", "dimension", "valeur", "du", "au"]]
    for name, dimension, value in indicators.long_rows(result):
        # long_rows gives text (the API shares it): back to a number, so the helper writes "12,5".
        rows.append([name, dimension, Decimal(value) if value else None, start, end])
    response = exports.csv_response(rows, filename=f"indicateurs-{start}-{end}")
    # Aggregates only, no personal data; the export is still traced.
    record(action=Action.EXPORT, actor=request.user, structure=membership.structure, detail="indicateurs")
    return response

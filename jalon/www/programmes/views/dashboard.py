"""The funnel and exits dashboard of a programme, and its exports."""

from datetime import date, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.programmes import rollup
from jalon.www.account.reauth import require_recent_login

from ..forms import PeriodForm
from .scoping import _programme


def _period(request) -> tuple[date, date, PeriodForm]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = today - timedelta(days=364), today
    if form.is_valid():
        start = form.cleaned_data.get("debut") or start
        end = form.cleaned_data.get("fin") or end
    return start, end, form


def _percent(value):
    return "" if value is None else f"{round(value * 100)} %"


def funnel_rows(figures) -> list[list]:
    header = [
        "Étape",
        "Personnes entrées",
        "Personnes l'ayant terminée",
        "Inscriptions",
        "Terminées",
        "Départs en cours",
        "Passage depuis l'étape précédente",
        "Durée moyenne (jours)",
        "Taux de présence",
        "Motifs de départ",
    ]
    rows = [header]
    for cell in figures.stages:
        rows.append(
            [
                cell.stage.name,
                cell.people_entered,
                cell.people_completed,
                cell.entered,
                cell.completed,
                cell.left_shown,
                _percent(cell.conversion),
                "" if cell.mean_days is None else round(cell.mean_days, 1),
                _percent(cell.attendance_rate),
                ", ".join(f"{label} : {n}" for label, n in cell.reasons),
            ]
        )
    return rows


@require_GET
def programme_dashboard(request, pk: int):
    programme = _programme(request, pk)
    start, end, form = _period(request)
    figures = rollup.funnel(programme, start, end)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        require_recent_login(request)
        rows = funnel_rows(figures)
        rows += [[], ["Sorties", "Nombre"]] + [[str(label), n] for _, label, n in figures.exits_by_category]
        rows += [["Taux de sortie dynamique", _percent(figures.dynamic_rate)]]
        name = f"entonnoir-{programme.pk}-{start}-{end}"
        from jalon import exports

        if fmt == "csv":
            response = exports.csv_response(rows, filename=name)
        else:
            response = exports.xlsx_response(rows, filename=name, title="Entonnoir")
        # Aggregates only, but every export is traced (who took which figures out, when).
        record(
            action=Action.EXPORT,
            actor=request.user,
            structure=request.membership.structure,
            obj=programme,
            detail=f"entonnoir {fmt} {start}–{end}",
        )
        return response
    widest = max([c.people_entered for c in figures.stages] + [1])
    for cell in figures.stages:
        cell.width = round(100 * cell.people_entered / widest)
    exits_widest = max([n for *_, n in figures.exits_by_category] + [1])
    exits = [
        (value, label, n, round(100 * n / exits_widest)) for value, label, n in figures.exits_by_category
    ]
    return render(
        request,
        "programmes/dashboard.html",
        {
            "programme": programme,
            "figures": figures,
            "exits": exits,
            "form": form,
            "start": start,
            "end": end,
            "dynamic": _percent(figures.dynamic_rate),
            "durable": _percent(figures.durable_rate),
        },
    )

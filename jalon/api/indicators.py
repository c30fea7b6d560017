"""Indicators of repérage and accueil for the current structure, as on the page."""

from datetime import date

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon import indicators

from .auth import require_membership as _membership
from .schemas import ErrorOut, Input

router = Router(tags=["indicateurs"])


class PeriodIn(Input):
    du: date | None = Field(None, description="Premier jour inclus (par défaut : il y a 89 jours).")
    au: date | None = Field(None, description="Dernier jour inclus (par défaut : aujourd'hui).")


class ValueOut(Schema):
    indicateur: str
    dimension: str
    valeur: float | None


class IndicatorsOut(Schema):
    du: date
    au: date
    valeurs: list[ValueOut]


@router.get(
    "/referrals",
    response={200: IndicatorsOut, 422: ErrorOut},
    summary="Indicateurs du repérage, des orientations et des rendez-vous",
)
def referral_indicators(request, period: PeriodIn = Query(...)):
    membership = _membership(request, "people.view")
    default_start, default_end = indicators.default_period()
    start, end = period.du or default_start, period.au or default_end
    if end < start:
        raise HttpError(422, "La date de fin doit suivre la date de début.")
    result = indicators.compute(membership.structure, start, end)
    values = [
        {"indicateur": name, "dimension": dimension, "valeur": float(value) if value != "" else None}
        for name, dimension, value in indicators.long_rows(result)
    ]
    return {"du": start, "au": end, "valeurs": values}

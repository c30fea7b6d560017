"""The directory of services: search, and export of a structure's own offer (data·inclusion)."""

from datetime import date

from data_inclusion.schema.v1 import Frais, ModeAccueil, Public, Thematique, TypeService
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon.directory import geo
from jalon.directory.exporter import export_offer
from jalon.directory.models import Service, ServiceKind, ServiceTheme
from jalon.directory.search import narrowed, search_page
from jalon.structures.models import Commune

from .auth import require_membership as _membership
from .schemas import Input

router = Router(tags=["annuaire"])


class ServiceOut(Schema):
    id: int
    source: str
    source_id: str
    kind: str
    nom: str
    description: str
    structure: str = Field(description="Nom de la structure qui porte le service")
    type: str
    thematiques: list[str]
    publics: list[str]
    frais: str
    modes_accueil: list[str]
    zone_eligibilite: list[str]
    commune: str | None = Field(None, description="Code INSEE")
    adresse: str
    telephone: str
    courriel: str
    date_maj: date
    score_qualite: float | None
    niveau: int | None = Field(None, description="Niveau de la formation (3 à 8)")
    distance_km: float | None = Field(None, description="Distance à la commune, avec `rayon_km`")

    @staticmethod
    def resolve_structure(obj):
        return obj.structure.nom

    @staticmethod
    def resolve_commune(obj):
        return obj.commune_id


class ServicePage(Schema):
    items: list[ServiceOut]
    suivant: str | None


class ServiceFilters(Input):
    q: str = Field("", description="Mots cherchés (accents, majuscules et pluriels indifférents)")
    commune: str = Field(
        "", description="Code INSEE : seulement les services dont la zone couvre cette commune"
    )
    thematiques: str = Field("", description="Codes de thématiques data·inclusion, séparés par des virgules")
    types: str = Field("", description="Types de service data·inclusion, séparés par des virgules")
    nature: str = Field("", description="`service`, `formation` ou `initiative`")
    public: str = Field(
        "", description="Code de public data·inclusion (les services « tous publics » en sont)"
    )
    frais: str = Field("", description="Code de frais data·inclusion (`gratuit`, `payant`…)")
    modes_accueil: str = Field("", description="`en-presentiel` ou `a-distance`")
    niveau: int | None = Field(None, ge=3, le=8, description="Niveau de la formation (3 à 8)")
    rayon_km: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Avec `commune` : seulement les services situés à moins de tant de km, classés par "
        "pertinence puis distance (position de la commune : moyenne des lieux géolocalisés qui y sont)",
    )
    apres: str = Field("", description="Curseur renvoyé par la page précédente (`suivant`).")
    taille: int = Field(20, ge=1, le=100)


def _codes(value: str, choices, label: str) -> list[str]:
    """The codes of a comma-separated filter, each known, or a 422 naming the unknown one."""
    codes = [c.strip() for c in value.split(",") if c.strip()]
    known = {str(c.value) for c in choices}
    for code in codes:
        if code not in known:
            raise HttpError(422, f"Code de {label} inconnu : {code}.")
    return codes


def _code(value: str, choices, label: str) -> str:
    """The first code of a filter that takes one (or "" when absent), checked like `_codes`."""
    return next(iter(_codes(value, choices, label)), "")


@router.get("", response=ServicePage, summary="Chercher un service, une formation ou une initiative")
def list_services(request, filters: ServiceFilters = Query(...)):
    _membership(request, "people.view")
    queryset = Service.objects.select_related("structure")
    commune = None
    if filters.commune:
        commune = Commune.objects.filter(code=filters.commune).first()
        if commune is None:
            raise HttpError(422, f"Code commune INSEE inconnu : {filters.commune}.")
    themes = _codes(filters.thematiques, Thematique, "thématique")
    if themes:
        queryset = queryset.filter(pk__in=ServiceTheme.objects.filter(code__in=themes).values("service_id"))
    types = _codes(filters.types, TypeService, "type de service")
    if types:
        queryset = queryset.filter(type__in=types)
    queryset = narrowed(
        queryset,
        kind=_code(filters.nature, ServiceKind, "nature"),
        public=_code(filters.public, Public, "public"),
        frais=_code(filters.frais, Frais, "frais"),
        niveau=filters.niveau,
        accueil=_code(filters.modes_accueil, ModeAccueil, "mode d'accueil"),
    )
    if filters.rayon_km and commune is None:
        raise HttpError(422, "rayon_km demande une commune : la distance se compte depuis elle.")
    try:
        rows, next_cursor = search_page(
            queryset,
            filters.q,
            after=filters.apres,
            size=filters.taille,
            commune=commune,
            radius_km=filters.rayon_km,
        )
    except geo.NoPosition as problem:
        raise HttpError(422, str(problem)) from None
    return {"items": rows, "suivant": next_cursor}


@router.get("/export", summary="Exporter l'offre de ma structure au format data·inclusion")
def export_services(request):
    membership = _membership(request, "people.view")
    return export_offer(membership.structure)

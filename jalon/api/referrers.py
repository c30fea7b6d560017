"""Referrers ("relais") of the current structure, each with its public links, as on the pages."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.referrals import actions, links
from jalon.referrals.models import Referrer, ReferrerKind
from jalon.structures.models import Commune

from .auth import require_membership as _membership
from .referrals import _messages
from .schemas import Email, ErrorOut, Input, text

router = Router(tags=["relais"])


class ReferrerOut(Schema):
    id: int
    name: str
    kind: str
    partner_structure_id: int | None
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    commune: str | None = Field(None, description="Code INSEE")
    facilitator_id: int | None
    is_active: bool
    dormant: bool = Field(description="Actif, mais aucune personne orientée depuis JALON_DORMANT_DAYS jours.")
    referred_count: int
    reached_count: int
    accompanied_count: int
    last_referral_at: datetime | None
    referral_url: str | None = Field(description="Formulaire du relais ; null si le lien est désactivé.")
    self_referral_url: str | None = Field(description="Formulaire « je veux être rappelé·e » (affiche).")
    follow_up_url: str | None = Field(description="Suivi des personnes orientées, pour le relais.")
    created_at: datetime

    @staticmethod
    def resolve_commune(obj):
        return obj.commune_id

    @staticmethod
    def resolve_dormant(obj):
        return obj.is_active and obj.is_dormant(timezone.now())

    @staticmethod
    def resolve_referral_url(obj):
        return links.referral_url(obj) if obj.link_is_live else None

    @staticmethod
    def resolve_self_referral_url(obj):
        return links.referral_url(obj, self_referral=True) if obj.link_is_live else None

    @staticmethod
    def resolve_follow_up_url(obj):
        return links.follow_up_url(obj) if obj.link_is_live else None


class ReferrerPage(Schema):
    items: list[ReferrerOut]
    suivant: int | None = Field(None, description="Passez-le en `apres` pour la page suivante.")


class ReferrerFilters(Input):
    etat: str = Field("", description="« actif », « sommeil » ou vide")
    type: str = Field("", description="Type de relais (commerce, bailleur…)")
    q: str = Field("", description="Début ou partie du nom")
    apres: int = Field(0, ge=0, description="Identifiant du dernier relais de la page précédente")
    taille: int = Field(50, ge=1, le=200)


class ReferrerIn(Input):
    name: str = text(Referrer, "name")
    kind: ReferrerKind
    contact_name: str = text(Referrer, "contact_name", "")
    contact_phone: str = ""
    contact_email: Email = text(Referrer, "contact_email", "")
    address: str = text(Referrer, "address", "")
    commune: str | None = Field(None, description="Code INSEE")
    notes: str = text(Referrer, "notes", "")


class ReferrerPatch(Input):
    name: str | None = text(Referrer, "name", None)
    kind: ReferrerKind | None = None
    contact_name: str | None = text(Referrer, "contact_name", None)
    contact_phone: str | None = None
    contact_email: Email | None = text(Referrer, "contact_email", None)
    address: str | None = text(Referrer, "address", None)
    commune: str | None = Field(None, description="Code INSEE")
    notes: str | None = text(Referrer, "notes", None)
    is_active: bool | None = None


def _commune(code):
    if not code:
        return None
    commune = Commune.objects.filter(code=code).first()
    if commune is None:
        raise HttpError(422, f"Code commune INSEE inconnu : {code}.")
    return commune


@router.get("", response=ReferrerPage, summary="Relais de ma structure")
def list_referrers(request, filters: ReferrerFilters = Query(...)):
    membership = _membership(request, "people.view")
    queryset = Referrer.objects.for_structure(membership.structure)
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q)
    if filters.type:
        queryset = queryset.filter(kind=filters.type)
    dormant = Referrer.objects.dormant().values("pk")
    if filters.etat == "sommeil":
        queryset = queryset.filter(pk__in=dormant)
    elif filters.etat == "actif":
        queryset = queryset.filter(is_active=True).exclude(pk__in=dormant)
    rows = list(queryset.filter(pk__gt=filters.apres).order_by("pk")[: filters.taille + 1])
    more = len(rows) > filters.taille
    rows = rows[: filters.taille]
    return {"items": rows, "suivant": rows[-1].pk if more and rows else None}


@router.post("", response={201: ReferrerOut, 422: ErrorOut}, summary="Ajouter un relais")
def create_referrer(request, payload: ReferrerIn):
    membership = _membership(request, "people.edit")
    data = payload.dict()
    data["commune"] = _commune(data.pop("commune"))
    try:
        referrer = actions.create_referrer(
            structure=membership.structure, actor=request.user, data=data, via="api"
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return 201, referrer


def _referrer(request, referrer_id: int, permission: str = "people.view"):
    membership = _membership(request, permission)
    referrer = Referrer.objects.for_structure(membership.structure).filter(pk=referrer_id).first()
    if referrer is None:
        raise Http404
    return membership, referrer


@router.get("/{int:referrer_id}", response=ReferrerOut, summary="Lire un relais")
def get_referrer(request, referrer_id: int):
    membership, referrer = _referrer(request, referrer_id)
    record(action=Action.READ, actor=request.user, structure=membership.structure, obj=referrer, via="api")
    return referrer


@router.patch("/{int:referrer_id}", response={200: ReferrerOut, 422: ErrorOut}, summary="Modifier un relais")
def patch_referrer(request, referrer_id: int, payload: ReferrerPatch):
    membership, referrer = _referrer(request, referrer_id, "people.edit")
    data = payload.dict(exclude_unset=True)
    if "commune" in data:
        data["commune"] = _commune(data["commune"])
    if any(value is None for key, value in data.items() if key not in ("commune",)):
        raise HttpError(422, "Une valeur vide (null) n'est pas acceptée ; envoyez une chaîne vide.")
    try:
        actions.update_referrer(
            referrer=referrer, structure=membership.structure, actor=request.user, data=data, via="api"
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return Referrer.objects.for_structure(membership.structure).get(pk=referrer.pk)

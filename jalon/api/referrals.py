"""Referrals received by the current structure (the inbox), with the same rules as the pages."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.referrals import actions, selectors
from jalon.referrals.models import (
    ClosedReason,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
    Referrer,
)
from jalon.referrals.selectors import keyset_after, keyset_cursor
from jalon.structures.models import Commune

from .auth import require_membership as _membership
from .schemas import Email, ErrorOut, Input, text

router = Router(tags=["repérage"])


class ReferralOut(Schema):
    id: int
    status: str = Field(description="nouvelle, contactee, rdv, accueillie, orientee, sans_suite")
    closed_reason: str
    source: str
    referrer_id: int | None
    first_name: str
    last_name: str
    phone: str = Field(description="E.164")
    email: str
    birth_date: date | None
    commune: str | None = Field(None, description="Code INSEE")
    needs: list[str]
    message: str
    referrer_note: str
    share_outcome: bool
    assigned_to_id: int | None
    person_id: int | None
    created_at: datetime
    first_contact_at: datetime | None

    @staticmethod
    def resolve_commune(obj):
        return obj.commune_id


class ReferralPage(Schema):
    items: list[ReferralOut]
    suivant: str | None


class ReferralFilters(Input):
    statut: str = Field(
        "", description="Vide : à traiter (nouvelle, contactée, rendez-vous) ; « toutes » ; ou un statut."
    )
    qui: str = Field("", description="« moi » ou « personne »")
    apres: str = Field("", description="Curseur renvoyé par la page précédente (`suivant`).")
    taille: int = Field(50, ge=1, le=200)


class ReferralIn(Input):
    first_name: str = text(Referral, "first_name")
    last_name: str = text(Referral, "last_name", "")
    phone: str = ""
    email: Email = text(Referral, "email", "")
    commune: str | None = Field(None, description="Code INSEE")
    needs: list[str] = Field([], max_length=20)
    message: str = text(Referral, "message", "")
    referrer_id: int | None = None
    contact_consent: bool = Field(description="La personne accepte d'être contactée (obligatoire).")


class ReferralPatch(Input):
    status: ReferralStatus
    closed_reason: ClosedReason | None = None
    note: str = text(ReferralEvent, "note", "")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for errors in exc.message_dict.values() for m in errors)
    return " ".join(exc.messages)


@router.get("", response=ReferralPage, summary="Demandes reçues par ma structure")
def list_referrals(request, filters: ReferralFilters = Query(...)):
    membership = _membership(request, "people.view")
    queryset = selectors.inbox(
        membership.structure, status=filters.statut, who=filters.qui, user=request.user
    )
    rows = list(keyset_after(queryset, filters.apres).order_by("-created_at", "-pk")[: filters.taille + 1])
    more = len(rows) > filters.taille
    rows = rows[: filters.taille]
    return {"items": rows, "suivant": keyset_cursor(rows[-1]) if more and rows else None}


@router.post("", response={201: ReferralOut, 422: ErrorOut}, summary="Enregistrer une demande")
def create_referral(request, payload: ReferralIn):
    membership = _membership(request, "people.edit")
    data = payload.dict()
    referrer = None
    if data.pop("referrer_id"):
        referrer = Referrer.objects.for_structure(membership.structure).filter(pk=payload.referrer_id).first()
        if referrer is None:
            raise HttpError(422, "Relais inconnu dans votre structure.")
    code = data.pop("commune")
    data["commune"] = Commune.objects.filter(code=code).first() if code else None
    if code and data["commune"] is None:
        raise HttpError(422, f"Code commune INSEE inconnu : {code}.")
    try:
        referral = actions.create_referral(
            structure=membership.structure,
            referrer=referrer,
            source=ReferralSource.API,
            data=data,
            actor=request.user,
            via="api",
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return 201, referral


def _referral(request, referral_id: int):
    membership = _membership(request, "people.view")
    referral = Referral.objects.for_structure(membership.structure).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return membership, referral


@router.get("/{int:referral_id}", response=ReferralOut, summary="Lire une demande")
def get_referral(request, referral_id: int):
    membership, referral = _referral(request, referral_id)
    record(action=Action.READ, actor=request.user, structure=membership.structure, obj=referral, via="api")
    return referral


@router.patch(
    "/{int:referral_id}",
    response={200: ReferralOut, 422: ErrorOut},
    summary="Changer le statut d'une demande",
)
def patch_referral(request, referral_id: int, payload: ReferralPatch):
    membership, referral = _referral(request, referral_id)
    if not membership.can("people.edit"):
        raise HttpError(403, "Votre rôle ne permet pas cette action.")
    try:
        actions.change_referral_status(
            referral=referral,
            structure=membership.structure,
            actor=request.user,
            status=payload.status,
            closed_reason=payload.closed_reason or "",
            note=payload.note,
            via="api",
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return referral

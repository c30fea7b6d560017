"""Orientations sent and received by the current structure."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.people.models import Person
from jalon.referrals import actions, selectors
from jalon.referrals.models import Orientation, OrientationStatus, OrientationTarget, RefusalReason

from .auth import require_membership as _membership
from .referrals import _messages
from .schemas import Email, ErrorOut, Input, text

router = Router(tags=["orientations"])


class OrientationOut(Schema):
    id: int
    person_id: int | None = Field(description="Seulement pour la structure qui oriente.")
    person_first_name: str
    from_structure_id: int
    target_kind: str
    target_structure_id: int | None
    target_label: str
    motive: str
    share_contact: bool
    status: str = Field(description="proposee, acceptee, refusee, demarree, terminee, expiree, annulee")
    refusal_reason: str
    answer_note: str
    created_at: datetime
    answered_at: datetime | None
    expires_at: datetime


class OrientationPage(Schema):
    items: list[OrientationOut]


class OrientationFilters(Input):
    cote: str = Field("envoyees", description="« envoyees » ou « recues »")
    statut: str = ""
    taille: int = Field(50, ge=1, le=200)


class OrientationIn(Input):
    person_id: int
    target_kind: OrientationTarget
    target_structure_id: int | None = None
    target_label: str = text(Orientation, "target_label", "")
    target_email: Email = text(Orientation, "target_email", "")
    motive: str = text(Orientation, "motive")
    share_contact: bool = Field(description="La personne accepte que ses coordonnées soient transmises.")


class AnswerIn(Input):
    accepted: bool
    refusal_reason: RefusalReason | None = None
    note: str = text(Orientation, "answer_note", "")


class StepIn(Input):
    status: OrientationStatus = Field(description="demarree, terminee ou annulee")


def _out(orientation: Orientation, structure) -> dict:
    sender = orientation.from_structure_id == structure.pk
    return {
        **{f: getattr(orientation, f) for f in OrientationOut.model_fields if hasattr(orientation, f)},
        "person_id": orientation.person_id if sender else None,
        "person_first_name": orientation.person.first_name,
    }


@router.get("", response=OrientationPage, summary="Orientations envoyées ou reçues")
def list_orientations(request, filters: OrientationFilters = Query(...)):
    membership = _membership(request, "people.view")
    structure = membership.structure
    queryset = selectors.orientations(structure, received=filters.cote == "recues", status=filters.statut)
    rows = queryset.select_related("person").order_by("-created_at", "-pk")[: filters.taille]
    return {"items": [_out(o, structure) for o in rows]}


@router.post("", response={201: OrientationOut, 422: ErrorOut}, summary="Orienter une personne")
def create_orientation(request, payload: OrientationIn):
    membership = _membership(request, "people.edit")
    structure = membership.structure
    person = Person.objects.owned_by(structure).filter(pk=payload.person_id).first()
    if person is None:
        raise HttpError(422, "Dossier inconnu dans votre structure.")
    target = None
    if payload.target_structure_id:
        target = structure.partner_structures().filter(pk=payload.target_structure_id).first()
        if target is None:
            raise HttpError(422, "La structure destinataire doit être partenaire de la vôtre.")
    try:
        orientation = actions.propose_orientation(
            person=person,
            structure=structure,
            actor=request.user,
            target_kind=payload.target_kind,
            target_structure=target,
            target_label=payload.target_label,
            target_email=payload.target_email,
            motive=payload.motive,
            share_contact=payload.share_contact,
            via="api",
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return 201, _out(orientation, structure)


def _orientation(request, orientation_id: int, permission: str = "people.view"):
    membership = _membership(request, "people.view")
    orientation = (
        Orientation.objects.for_structure(membership.structure)
        .select_related("person", "from_structure", "target_structure", "from_user")
        .filter(pk=orientation_id)
        .first()
    )
    if orientation is None:
        raise Http404
    if not membership.can(permission):
        raise HttpError(403, "Votre rôle ne permet pas cette action.")
    return membership, orientation


@router.get("/{int:orientation_id}", response=OrientationOut, summary="Lire une orientation")
def get_orientation(request, orientation_id: int):
    membership, orientation = _orientation(request, orientation_id)
    record(
        action=Action.READ,
        actor=request.user,
        structure=membership.structure,
        obj=orientation,
        person=orientation.person,
        via="api",
    )
    return _out(orientation, membership.structure)


@router.post(
    "/{int:orientation_id}/reponse",
    response={200: OrientationOut, 422: ErrorOut},
    summary="Répondre (structure destinataire)",
)
def answer_orientation(request, orientation_id: int, payload: AnswerIn):
    membership, orientation = _orientation(request, orientation_id, "people.edit")
    if orientation.target_structure_id != membership.structure_id:
        raise HttpError(403, "Seule la structure destinataire répond à une orientation.")
    try:
        orientation = actions.answer_orientation(
            orientation=orientation,
            accepted=payload.accepted,
            actor=request.user,
            structure=membership.structure,
            refusal_reason=payload.refusal_reason or "",
            note=payload.note,
            via="api",
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return _out(orientation, membership.structure)


@router.post(
    "/{int:orientation_id}/etape",
    response={200: OrientationOut, 422: ErrorOut},
    summary="Démarrée, terminée ou annulée",
)
def move_orientation(request, orientation_id: int, payload: StepIn):
    membership, orientation = _orientation(request, orientation_id, "people.edit")
    try:
        orientation = actions.move_orientation(
            orientation=orientation, structure=membership.structure, actor=request.user, status=payload.status
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return _out(orientation, membership.structure)

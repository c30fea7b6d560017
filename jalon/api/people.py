from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon.people import actions, erasure
from jalon.people.models import Person
from jalon.people.selectors import filter_situation, people_page
from jalon.structures.models import Commune, Membership
from jalon.structures.phones import to_e164

from .auth import require_membership as _membership
from .schemas import DuplicateOut, ErrorOut, Input, PersonIn, PersonOut, PersonPatch

router = Router(tags=["personnes"])


def _clean(payload: dict, structure) -> dict:
    """Turn API fields into model values, with the same rules as the forms."""
    data = dict(payload)
    for key in ("first_name", "last_name"):
        if key in data and not (data[key] or "").strip():
            raise HttpError(422, "Le prénom et le nom ne peuvent pas être vides.")
    if "phone" in data:
        try:
            data["phone"] = to_e164(data["phone"] or "")
        except ValidationError as error:
            raise HttpError(422, error.messages[0]) from error
    if "commune" in data:
        code = data.pop("commune")
        commune = Commune.objects.filter(code=code).first() if code else None
        if code and commune is None:
            raise HttpError(422, f"Code commune INSEE inconnu : {code}.")
        data["commune"] = commune
    if "referent_id" in data:
        referent_id = data.pop("referent_id")
        membership = (
            Membership.objects.filter(structure=structure, user_id=referent_id, is_active=True)
            .select_related("user")
            .first()
            if referent_id
            else None
        )
        if referent_id and membership is None:
            raise HttpError(422, "Le ou la référent·e doit être membre de la structure.")
        data["referent"] = membership.user if membership else None
    for key in ("email", "gender", "preferred_channel", "employment_status", "education_level", "languages"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("long_term_unemployed", "rsa", "ass", "aah", "rqth", "qpv"):
        if key in data and data[key] is None:
            data.pop(key)
    return data


class PeopleFilters(Input):
    q: str = ""
    status: str = ""
    age: str = ""
    mine: bool = False
    scope: str = ""
    apres: str = Field("", description="Curseur renvoyé par la page précédente (`suivant`).")
    taille: int = Field(50, ge=1, le=200)


class PeoplePage(Schema):
    items: list[PersonOut]
    suivant: str | None


@router.get("", response=PeoplePage, summary="Personnes de ma structure")
def list_people(request, filters: PeopleFilters = Query(...)):
    """Same search and paging as the list page: constant cost at any depth and size."""
    membership = _membership(request, "people.view")
    if filters.scope == "shared":
        base = Person.objects.shared_with(membership.structure)
    else:
        base = Person.objects.owned_by(membership.structure)
    queryset = filter_situation(base, filters.dict(), request.user)
    page = people_page(queryset, filters.q, after=filters.apres, size=filters.taille)
    return {"items": page.items, "suivant": page.next_cursor}


@router.post("", response={201: PersonOut, 409: DuplicateOut, 422: ErrorOut}, summary="Créer un dossier")
def create_person(request, payload: PersonIn):
    membership = _membership(request, "people.edit")
    body = payload.dict(exclude_unset=True)
    method = body.pop("consent_method")
    force = body.pop("force", False)
    data = _clean(body, membership.structure)
    if not data.get("phone") and not data.get("email"):
        raise HttpError(422, "Indiquez au moins un téléphone ou un e-mail.")
    try:
        person = actions.create_person_unless_duplicate(
            structure=membership.structure,
            actor=request.user,
            data=data,
            via="api",
            consent_method=method,
            force=force,
        )
    except actions.DuplicateFound as found:
        return 409, {"detail": str(found), "existing_ids": [p.pk for p in found.people]}
    return 201, person


@router.get("/{int:person_id}", response=PersonOut, summary="Lire un dossier")
def get_person(request, person_id: int):
    membership = _membership(request, "people.view")
    person = Person.objects.for_structure(membership.structure).filter(pk=person_id).first()
    if person is None:
        raise Http404
    actions.record_read(person=person, structure=membership.structure, actor=request.user, via="api")
    return person


@router.patch("/{int:person_id}", response={200: PersonOut, 422: ErrorOut}, summary="Modifier un dossier")
def patch_person(request, person_id: int, payload: PersonPatch):
    membership = _membership(request, "people.view")
    person = Person.objects.owned_by(membership.structure).filter(pk=person_id).first()
    if person is None:
        raise Http404
    if not membership.can("people.edit"):
        raise HttpError(403, "Votre rôle ne permet pas cette action.")
    data = _clean(payload.dict(exclude_unset=True), membership.structure)
    if not data.get("phone", person.phone) and not data.get("email", person.email):
        raise HttpError(422, "Indiquez au moins un téléphone ou un e-mail.")
    actions.update_person(
        person=person, structure=membership.structure, actor=request.user, data=data, via="api"
    )
    return person


# --- Erasure (RGPD art. 17): kept apart from the file's other operations -------------------------


class ErasureOut(Schema):
    id: int
    anonymised_at: datetime


class ErasureRefusedOut(Schema):
    detail: str
    holds: list[str]


@router.post(
    "/{int:person_id}/erasure",
    response={200: ErasureOut, 409: ErasureRefusedOut},
    summary="Effacer un dossier (droit à l'oubli)",
    description=(
        "Anonymise le dossier : identité, contact, commune, notes et plan d'action sont effacés ; "
        "les inscriptions, présences et sorties restent, sans nom, pour les statistiques. "
        "Refusé (409, avec la liste des raisons) quand la loi demande de garder le dossier. "
        "Demande un jeton en écriture et le rôle administrateur·rice ou coordinateur·rice."
    ),
)
def erase_person(request, person_id: int):
    membership = _membership(request, "people.view")
    person = Person.objects.owned_by(membership.structure).filter(pk=person_id).first()
    if person is None:
        raise Http404
    if not membership.can("people.erase"):
        raise HttpError(403, "Votre rôle ne permet pas cette action.")
    if person.anonymised_at is None:
        try:
            erasure.erase_person(person=person, structure=membership.structure, actor=request.user, via="api")
        except erasure.ErasureRefused as refused:
            return 409, {
                "detail": "Le dossier ne peut pas être effacé pour le moment.",
                "holds": refused.holds,
            }
        person.refresh_from_db(fields=["anonymised_at"])
    return 200, {"id": person.pk, "anonymised_at": person.anonymised_at}

"""Programmes, sessions, enrolments, attendance and the funnel, with the same rules as the pages."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon.audit.actions import record_person_reads
from jalon.people.models import Person
from jalon.programmes import actions, rollup, selectors
from jalon.programmes.models import (
    AttendanceStatus,
    Enrolment,
    LeftReason,
    Session,
    name_for,
)

from .auth import require_membership as _membership
from .referrals import _messages
from .schemas import ErrorOut, Input

programmes_router = Router(tags=["programmes"])
sessions_router = Router(tags=["programmes"])
enrolments_router = Router(tags=["programmes"])
slots_router = Router(tags=["programmes"])


class RuleOut(Schema):
    kind: str = Field(description="ateliers, diagnostic, invitation, precedente")
    count: int | None
    of_stage_id: int | None
    text: str

    @staticmethod
    def resolve_text(obj):
        return str(obj)


class StageOut(Schema):
    id: int
    position: int
    name: str
    kind: str
    description: str
    typical_days: int | None
    capacity: int | None
    rules: list[RuleOut]

    @staticmethod
    def resolve_rules(obj):
        return list(obj.rules.all())


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    is_template: bool
    owner_ids: list[int]
    stages: list[StageOut]

    @staticmethod
    def resolve_owner_ids(obj):
        return sorted(o.pk for o in obj.owners.all())

    @staticmethod
    def resolve_stages(obj):
        return list(obj.stages.all())


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    title: str = Field(description="Ce que couvre ce créneau, s'il est précisé ; sinon vide.")
    topic: str = Field(description="Thème du créneau, s'il est précisé ; sinon vide.")


class SessionOut(Schema):
    id: int
    programme_id: int
    stage_id: int
    stage: str
    title: str = Field(
        description="Titre de la session (« Créer sa boîte mail ») ; vide : le nom de l'étape."
    )
    topic: str = Field(description="Thème de la session ; vide s'il n'est pas précisé.")
    starts_on: date
    place: str
    remote_url: str
    capacity: int
    waiting_list: bool
    slots: list[SlotOut]

    @staticmethod
    def resolve_programme_id(obj):
        return obj.stage.programme_id

    @staticmethod
    def resolve_stage(obj):
        return obj.stage.name

    @staticmethod
    def resolve_slots(obj):
        return list(obj.slots.all())


class EnrolmentOut(Schema):
    id: int
    session_id: int
    person_id: int | None = Field(description="Absent pour les personnes d'une autre structure du programme.")
    name: str = Field(
        description="Nom complet pour vos personnes ; « Prénom N. » pour celles des partenaires."
    )
    status: str = Field(description="inscrite, attente, annulee, terminee, partie")
    waiting_rank: int | None
    team: str | None
    ended_on: date | None
    left_reason: str


class SessionDetailOut(SessionOut):
    enrolments: list[EnrolmentOut]
    partner_people: int = Field(
        0,
        description="Personnes d'une structure partenaire inscrites sans partage de dossier avec "
        "votre structure : comptées, jamais nommées.",
    )

    @staticmethod
    def resolve_enrolments(obj):
        return obj.enrolment_rows


class SessionPage(Schema):
    items: list[SessionOut]


class SessionFilters(Input):
    du: date | None = Field(
        None, description="Sessions commençant ce jour ou après ; par défaut il y a 30 jours."
    )
    au: date | None = Field(
        None, description="Sessions commençant ce jour ou avant ; par défaut dans 180 jours."
    )
    programme: int | None = None
    taille: int = Field(100, ge=1, le=500)


class EnrolmentIn(Input):
    session_id: int
    person_id: int
    passer_outre: bool = Field(
        False, description="Inscrire même si les conditions d'entrée ne sont pas remplies (coordination)."
    )


class FinishIn(Input):
    ended_on: date
    left_reason: LeftReason | None = Field(None, description="Vide : étape terminée ; sinon motif de départ.")


class MarkIn(Input):
    enrolment_id: int
    status: AttendanceStatus


class AttendanceIn(Input):
    marks: list[MarkIn] = Field(default_factory=list)
    tous_presents: bool = Field(
        False, description="Les personnes sans présence dans `marks` sont notées présentes."
    )


class AttendanceOut(Schema):
    slot_id: int
    enrolment_id: int
    status: str


class FunnelStageOut(Schema):
    stage_id: int
    name: str
    people_entered: int = Field(description="Personnes dont c'est la première entrée dans l'étape.")
    people_completed: int = Field(description="Personnes qui terminent l'étape pour la première fois.")
    entered: int = Field(description="Inscriptions (une par session).")
    completed: int
    left: int | str = Field(
        description="Départs en cours d'étape ; « < 5 » quand ce nombre révélerait un petit effectif "
        "sensible (programme porté à plusieurs)."
    )
    conversion: float | None = Field(
        description="Personnes entrées ÷ personnes ayant terminé l'étape précédente, sur la période."
    )
    mean_days: float | None
    attendance_rate: float | None
    marked: int
    left_reasons: dict[str, int | str] = Field(
        description="Départs par motif. Dans un programme porté à plusieurs, un motif de santé de 1 à 4 "
        "personnes vaut « < 5 », et le plus petit autre motif « masqué » (docs/decisions)."
    )


class FunnelOut(Schema):
    programme_id: int
    start: date
    end: date
    fresh_at: datetime | None = Field(description="Heure du dernier calcul des chiffres.")
    stages: list[FunnelStageOut]
    exits: dict[str, int] = Field(description="Sorties par catégorie DGEFP.")
    dynamic_rate: float | None
    durable_rate: float | None


# --- Helpers -----------------------------------------------------------------------------------


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def _session(request, session_id: int, permission: str = "people.view"):
    membership = _membership(request, permission)
    return membership, _found(selectors.session_for(membership.structure, session_id, with_slots=True))


def _enrolment_out(enrolment: Enrolment, structure) -> dict:
    person = enrolment.person
    own = person.structure_id == structure.pk
    return {
        "id": enrolment.pk,
        "session_id": enrolment.session_id,
        "person_id": person.pk if own else None,
        "name": name_for(person, structure),
        "status": enrolment.status,
        "waiting_rank": enrolment.waiting_rank,
        "team": enrolment.team.name if enrolment.team_id else None,
        "ended_on": enrolment.ended_on,
        # A health reason is the owning structure's to know, even about a person who shares.
        "left_reason": enrolment.left_reason if own or enrolment.left_reason != LeftReason.HEALTH else "",
    }


def _audit_people(request, structure, enrolments) -> None:
    own = selectors.own_person_ids(enrolments, structure)
    record_person_reads(actor=request.user, structure=structure, person_ids=own, detail="session", via="api")


def _session_detail(request, membership, session) -> Session:
    enrolments = selectors.session_enrolments(session, membership.structure, by_name=False)
    _audit_people(request, membership.structure, enrolments)
    session.enrolment_rows = [_enrolment_out(e, membership.structure) for e in enrolments]
    session.partner_people = enrolments.hidden
    return session


# --- Programmes --------------------------------------------------------------------------------


@programmes_router.get("", response=list[ProgrammeOut], summary="Programmes de ma structure")
def list_programmes(request):
    membership = _membership(request, "people.view")
    return list(selectors.programmes_with_stages(membership.structure))


@programmes_router.get(
    "/{int:programme_id}", response=ProgrammeOut, summary="Lire un programme et ses étapes"
)
def get_programme(request, programme_id: int):
    membership = _membership(request, "people.view")
    return _found(selectors.programmes_with_stages(membership.structure).filter(pk=programme_id).first())


@programmes_router.get(
    "/{int:programme_id}/funnel",
    response={200: FunnelOut, 422: ErrorOut},
    summary="Entonnoir et sorties d'un programme sur une période",
)
def programme_funnel(request, programme_id: int, debut: date | None = None, fin: date | None = None):
    membership = _membership(request, "people.view")
    programme = _found(selectors.programme_for(membership.structure, programme_id))
    end = fin or timezone.localdate()
    start = debut or end - timedelta(days=364)
    if end < start:
        raise HttpError(422, "La fin de la période doit suivre son début.")
    figures = rollup.funnel(programme, start, end)
    exits = {value: n for value, _, n in figures.exits_by_category}
    return {
        "programme_id": programme.pk,
        "start": start,
        "end": end,
        "fresh_at": figures.fresh_at,
        "stages": [
            {
                "stage_id": cell.stage.pk,
                "name": cell.stage.name,
                "people_entered": cell.people_entered,
                "people_completed": cell.people_completed,
                "entered": cell.entered,
                "completed": cell.completed,
                "left": cell.left_shown,
                "conversion": cell.conversion,
                "mean_days": cell.mean_days,
                "attendance_rate": cell.attendance_rate,
                "marked": cell.marked,
                "left_reasons": cell.shown_reasons,
            }
            for cell in figures.stages
        ],
        "exits": exits,
        "dynamic_rate": figures.dynamic_rate,
        "durable_rate": figures.durable_rate,
    }


# --- Sessions ----------------------------------------------------------------------------------


@sessions_router.get(
    "", response={200: SessionPage, 422: ErrorOut}, summary="Sessions des programmes de ma structure"
)
def list_sessions(request, filters: SessionFilters = Query(...)):
    membership = _membership(request, "people.view")
    first = filters.du or timezone.localdate() - timedelta(days=30)
    last = filters.au or timezone.localdate() + timedelta(days=180)
    if last < first:
        raise HttpError(422, "La date de fin précède la date de début.")
    rows = selectors.sessions_between(membership.structure, first, last, programme_id=filters.programme)
    return {"items": list(rows[: filters.taille])}


@sessions_router.get(
    "/{int:session_id}", response=SessionDetailOut, summary="Lire une session et ses inscriptions"
)
def get_session(request, session_id: int):
    membership, session = _session(request, session_id)
    return _session_detail(request, membership, session)


# --- Enrolments --------------------------------------------------------------------------------


@enrolments_router.post(
    "", response={201: EnrolmentOut, 422: ErrorOut}, summary="Inscrire une personne à une session"
)
def create_enrolment(request, payload: EnrolmentIn):
    membership = _membership(request, "people.edit")
    structure = membership.structure
    session = selectors.session_for(structure, payload.session_id)
    person = Person.objects.owned_by(structure).filter(pk=payload.person_id).first()
    if session is None or person is None:
        raise HttpError(422, "Session ou personne inconnue dans votre structure.")
    override = payload.passer_outre and membership.can("programmes.manage")
    try:
        enrolment = actions.enrol(
            session=session,
            person=person,
            structure=structure,
            actor=request.user,
            via="api",
            override=override,
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return 201, _enrolment_out(enrolment, structure)


def _enrolment(request, enrolment_id: int):
    membership = _membership(request, "people.edit")
    return membership, _found(selectors.enrolment_for(membership.structure, enrolment_id))


@enrolments_router.post(
    "/{int:enrolment_id}/annulation",
    response={200: EnrolmentOut, 422: ErrorOut},
    summary="Annuler une inscription (la liste d'attente avance)",
)
def cancel_enrolment(request, enrolment_id: int):
    membership, enrolment = _enrolment(request, enrolment_id)
    try:
        actions.cancel(enrolment=enrolment, structure=membership.structure, actor=request.user, via="api")
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return _enrolment_out(_enrolment(request, enrolment_id)[1], membership.structure)


@enrolments_router.post(
    "/{int:enrolment_id}/fin",
    response={200: EnrolmentOut, 422: ErrorOut},
    summary="Fin d'étape : terminée, ou départ avec motif",
)
def finish_enrolment(request, enrolment_id: int, payload: FinishIn):
    membership, enrolment = _enrolment(request, enrolment_id)
    try:
        actions.finish(
            enrolment=enrolment,
            structure=membership.structure,
            actor=request.user,
            ended_on=payload.ended_on,
            reason=payload.left_reason or "",
            via="api",
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return _enrolment_out(_enrolment(request, enrolment_id)[1], membership.structure)


# --- Attendance --------------------------------------------------------------------------------


def _slot(request, slot_id: int):
    membership = _membership(request, "attendance.take")
    return membership, _found(selectors.slot_for(membership.structure, slot_id))


@slots_router.get("/{int:slot_id}/attendance", response=list[AttendanceOut], summary="Présences d'un créneau")
def slot_attendance(request, slot_id: int):
    membership, slot = _slot(request, slot_id)
    return list(
        selectors.slot_attendances(slot, membership.structure)
        .order_by("enrolment_id")
        .values("slot_id", "enrolment_id", "status")
    )


@slots_router.post(
    "/{int:slot_id}/attendance",
    response={200: list[AttendanceOut], 422: ErrorOut},
    summary="Faire l'appel d'un créneau (présent, retard, excuse, absent)",
)
def record_attendance(request, slot_id: int, payload: AttendanceIn):
    membership, slot = _slot(request, slot_id)
    marks = {m.enrolment_id: m.status.value for m in payload.marks}
    if payload.tous_presents:
        named = selectors.called_at(slot).named_for(membership.structure)
        for enrolment_id in named.values_list("pk", flat=True):
            marks.setdefault(enrolment_id, AttendanceStatus.PRESENT)
    if not marks:
        raise HttpError(422, "Indiquez au moins une présence, ou tous_presents.")
    try:
        actions.take_attendance(
            slot=slot, marks=marks, structure=membership.structure, actor=request.user, via="api"
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return list(
        selectors.slot_attendances(slot, membership.structure)
        .order_by("enrolment_id")
        .values("slot_id", "enrolment_id", "status")
    )

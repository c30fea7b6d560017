"""Appointments of the current structure, with the same rules as the agenda pages."""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jalon.agenda import actions, selectors
from jalon.agenda.models import Appointment, AppointmentKind, Outcome, Participant
from jalon.people.models import Person
from jalon.referrals.models import Referral

from .auth import require_membership as _membership
from .referrals import _messages
from .schemas import ErrorOut, Input, text

router = Router(tags=["rendez-vous"])


class ParticipantOut(Schema):
    id: int
    person_id: int | None
    referral_id: int | None
    first_name: str
    last_name: str
    outcome: str = Field(description="a_venir, vu, excuse, absent, non_tenu (n'a pas eu lieu)")
    booked_by_self: bool
    invited_at: datetime | None
    reminded_at: datetime | None


class AppointmentOut(Schema):
    id: int
    kind: str = Field(description="individuel ou collectif")
    title: str = text(Appointment, "title")
    starts_at: datetime
    ends_at: datetime
    place_id: int | None
    permanence_id: int | None
    where: str
    capacity: int
    cancelled_at: datetime | None
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_participants(obj):
        return list(obj.participants.all())


class AppointmentPage(Schema):
    items: list[AppointmentOut]


class AppointmentFilters(Input):
    du: date | None = Field(None, description="Premier jour (inclus) ; par défaut aujourd'hui.")
    au: date | None = Field(None, description="Dernier jour (inclus) ; par défaut 30 jours après `du`.")
    taille: int = Field(100, ge=1, le=500)


class AppointmentIn(Input):
    title: str = text(Appointment, "title")
    kind: AppointmentKind = AppointmentKind.INDIVIDUAL
    starts_at: datetime | None = Field(None, description="Sans `creneau` : début du rendez-vous.")
    duration_minutes: int = Field(45, ge=5, le=720)
    creneau: str = Field("", description="Clé d'un créneau libre (GET /creneaux) ; remplace starts_at.")
    place_id: int | None = None
    location_note: str = text(Appointment, "location_note", "")
    capacity: int = Field(1, ge=1, le=500)
    person_id: int | None = None
    referral_id: int | None = None
    invite: bool = True


class AppointmentPatch(Input):
    """Only the fields sent change. A change of date or place is told once to the people expected."""

    starts_at: datetime | None = Field(None, description="Nouvelle date et heure (à venir).")
    duration_minutes: int | None = Field(None, ge=5, le=720)
    title: str | None = text(Appointment, "title", None)
    place_id: int | None = Field(None, description="0 : plus de lieu.")
    location_note: str | None = text(Appointment, "location_note", None)
    organiser_id: int | None = Field(None, description="Membre de la structure qui reçoit ; 0 : personne.")
    person_id: int | None = Field(None, description="Rendez-vous individuel : une autre personne.")
    referral_id: int | None = Field(None, description="Rendez-vous individuel : une autre demande.")


class PastAppointmentIn(Input):
    """A rendez-vous qui a déjà eu lieu : noté pour l'historique, aucun message n'est envoyé."""

    title: str = text(Appointment, "title")
    starts_at: datetime
    duration_minutes: int = Field(45, ge=5, le=720)
    outcome: Outcome = Outcome.SEEN
    place_id: int | None = None
    location_note: str = text(Appointment, "location_note", "")
    person_id: int | None = None
    referral_id: int | None = None


class OutcomeIn(Input):
    outcome: Outcome


class SlotOut(Schema):
    key: str
    starts_at: datetime
    ends_at: datetime
    permanence_id: int
    place: str


def _with_participants(queryset):
    return queryset.select_related("place", "place__commune").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("referral").order_by("pk"))
    )


def _audit(request, structure, appointments) -> None:
    participants = [p for a in appointments for p in a.participants.all()]
    actions.record_reads(
        actor=request.user, structure=structure, participants=participants, detail="rendez-vous", via="api"
    )


@router.get("", response={200: AppointmentPage, 422: ErrorOut}, summary="Rendez-vous de ma structure")
def list_appointments(request, filters: AppointmentFilters = Query(...)):
    membership = _membership(request, "people.view")
    first = filters.du or timezone.localdate()
    last = filters.au or first + timedelta(days=30)
    if last < first:
        raise HttpError(422, "La date de fin précède la date de début.")
    rows = list(
        _with_participants(selectors.appointments_between(membership.structure, first, last)).order_by(
            "starts_at", "pk"
        )[: filters.taille]
    )
    _audit(request, membership.structure, rows)
    return {"items": rows}


@router.get("/creneaux", response=list[SlotOut], summary="Créneaux libres des permanences de ma structure")
def list_slots(request, jours: int = Query(14, ge=1, le=60)):
    membership = _membership(request, "people.view")
    slots = selectors.free_slots(membership.structure, start=timezone.localdate(), days=jours)[:500]
    return [
        {
            "key": s.key,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "permanence_id": s.permanence.pk,
            "place": s.permanence.place.name,
        }
        for s in slots
    ]


def _aware(value: datetime) -> datetime:
    """A date-time sent without an offset is read as French local time, like the pages."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _subject(structure, person_id, referral_id):
    person = referral = None
    if person_id is not None and referral_id is not None:
        raise HttpError(422, "Indiquez une personne ou une demande, pas les deux.")
    if person_id is not None:
        person = Person.objects.owned_by(structure).filter(pk=person_id).first()
        if person is None:
            raise HttpError(422, "Personne inconnue dans votre structure.")
    if referral_id is not None:
        referral = Referral.objects.for_structure(structure).filter(pk=referral_id).first()
        if referral is None:
            raise HttpError(422, "Demande inconnue dans votre structure.")
    return person, referral


def _place(structure, place_id):
    if place_id is None:
        return None
    place = selectors.places_for(structure).filter(pk=place_id).first()
    if place is None:
        raise HttpError(422, "Lieu inconnu pour votre structure.")
    return place


@router.post("", response={201: AppointmentOut, 422: ErrorOut}, summary="Fixer un rendez-vous")
def create_appointment(request, payload: AppointmentIn):
    membership = _membership(request, "people.edit")
    structure = membership.structure
    person, referral = _subject(structure, payload.person_id, payload.referral_id)
    place = _place(structure, payload.place_id)
    try:
        permanence = None
        if payload.creneau:
            slot = selectors.parse_slot(structure, payload.creneau)
            permanence, starts_at, ends_at = slot.permanence, slot.starts_at, slot.ends_at
        elif payload.starts_at is None:
            raise ValidationError("Indiquez le début (starts_at) ou un créneau libre (creneau).")
        else:
            starts_at = _aware(payload.starts_at)
            ends_at = starts_at + timedelta(minutes=payload.duration_minutes)
        appointment = actions.schedule(
            structure=structure,
            actor=request.user,
            title=payload.title,
            starts_at=starts_at,
            ends_at=ends_at,
            kind=payload.kind,
            place=place or (permanence.place if permanence else None),
            permanence=permanence,
            capacity=payload.capacity,
            location_note=payload.location_note,
            via="api",
        )
        if person or referral:
            actions.add_participant(
                appointment=appointment,
                structure=structure,
                actor=request.user,
                person=person,
                referral=referral,
                invite=payload.invite,
                via="api",
            )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return 201, _with_participants(
        Appointment.objects.for_structure(structure).filter(pk=appointment.pk)
    ).get()


@router.post(
    "/passes",
    response={201: AppointmentOut, 422: ErrorOut},
    summary="Noter un rendez-vous qui a déjà eu lieu (aucun message envoyé)",
)
def record_past_appointment(request, payload: PastAppointmentIn):
    membership = _membership(request, "people.edit")
    structure = membership.structure
    person, referral = _subject(structure, payload.person_id, payload.referral_id)
    place = _place(structure, payload.place_id)
    starts_at = _aware(payload.starts_at)
    try:
        participant = actions.record_past_appointment(
            structure=structure,
            actor=request.user,
            title=payload.title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=payload.duration_minutes),
            person=person,
            referral=referral,
            outcome=payload.outcome,
            place=place,
            location_note=payload.location_note,
            via="api",
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return 201, _with_participants(
        Appointment.objects.for_structure(structure).filter(pk=participant.appointment_id)
    ).get()


def _appointment(request, appointment_id: int, permission: str = "people.view"):
    membership = _membership(request, permission)
    appointment = (
        _with_participants(Appointment.objects.for_structure(membership.structure))
        .select_related("structure")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise Http404
    return membership, appointment


@router.get("/{int:appointment_id}", response=AppointmentOut, summary="Lire un rendez-vous")
def get_appointment(request, appointment_id: int):
    membership, appointment = _appointment(request, appointment_id)
    _audit(request, membership.structure, [appointment])
    return appointment


@router.post(
    "/{int:appointment_id}/participants/{int:participant_id}/presence",
    response={200: AppointmentOut, 422: ErrorOut},
    summary="Noter la présence d'un·e participant·e",
)
def record_outcome(request, appointment_id: int, participant_id: int, payload: OutcomeIn):
    membership, appointment = _appointment(request, appointment_id, "people.edit")
    participant = next((p for p in appointment.participants.all() if p.pk == participant_id), None)
    if participant is None:
        raise Http404
    participant.appointment = appointment
    try:
        actions.record_outcome(
            participant=participant,
            structure=membership.structure,
            actor=request.user,
            outcome=payload.outcome,
            via="api",
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return _appointment(request, appointment_id)[1]


@router.post("/{int:appointment_id}/annulation", response=AppointmentOut, summary="Annuler et prévenir")
def cancel_appointment(request, appointment_id: int):
    membership, appointment = _appointment(request, appointment_id, "people.edit")
    actions.cancel_appointment(
        appointment=appointment, structure=membership.structure, actor=request.user, via="api"
    )
    return _appointment(request, appointment_id)[1]


@router.patch(
    "/{int:appointment_id}",
    response={200: AppointmentOut, 422: ErrorOut},
    summary="Modifier un rendez-vous (date, lieu, personne, membre de l'équipe)",
)
def update_appointment(request, appointment_id: int, payload: AppointmentPatch):
    membership, appointment = _appointment(request, appointment_id, "people.edit")
    structure = membership.structure
    sent = payload.model_dump(exclude_unset=True)
    person, referral = _subject(structure, payload.person_id, payload.referral_id)
    changes = {}
    if "title" in sent:
        changes["title"] = payload.title or ""
    if "location_note" in sent:
        changes["location_note"] = payload.location_note or ""
    if "place_id" in sent:
        changes["place"] = _place(structure, payload.place_id or None)
    if "organiser_id" in sent:
        organiser = None
        if payload.organiser_id:
            organiser = (
                get_user_model()
                .objects.filter(
                    pk=payload.organiser_id, memberships__structure=structure, memberships__is_active=True
                )
                .first()
            )
            if organiser is None:
                raise HttpError(422, "Cette personne ne fait pas partie de la structure.")
        changes["organiser"] = organiser
    starts_at = _aware(payload.starts_at) if payload.starts_at else appointment.starts_at
    if payload.starts_at or payload.duration_minutes:
        duration = (
            timedelta(minutes=payload.duration_minutes)
            if payload.duration_minutes
            else appointment.ends_at - appointment.starts_at
        )
        changes.update(starts_at=starts_at, ends_at=starts_at + duration)
    try:
        actions.update_appointment(
            appointment=appointment,
            structure=structure,
            actor=request.user,
            person=person,
            referral=referral,
            via="api",
            **changes,
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return _appointment(request, appointment_id)[1]

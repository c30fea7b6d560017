"""Agenda: the week, an appointment and its participants, the rota of a shared place, self-booking."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from jalon.agenda import actions, ics, links, selectors
from jalon.agenda.models import Appointment, Outcome, Place
from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.links import LinkError
from jalon.referrals.models import Referral
from jalon.www.errors import add_to_form, refused
from jalon.www.scoping import person_for_edit, person_for_read, require

from .forms import (
    AppointmentEditForm,
    AppointmentForm,
    BookingForm,
    PastAppointmentForm,
    PermanenceForm,
    PlaceForm,
)


def _monday(raw: str) -> date:
    try:
        day = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def _audit_reads(request, participants, detail: str) -> None:
    actions.record_reads(
        actor=request.user, structure=request.membership.structure, participants=participants, detail=detail
    )


@require_GET
def agenda_week(request):
    membership = require(request, "people.view")
    structure = membership.structure
    monday = _monday(request.GET.get("semaine", ""))
    appointments = list(selectors.week(structure, monday))
    _audit_reads(request, [p for a in appointments for p in a.participants.all()], "agenda")
    # The rota of the places the structure keeps or works at, with how busy each permanence is.
    rota = list(selectors.rota_of_week(structure, monday))
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        day_appointments = [a for a in appointments if timezone.localtime(a.starts_at).date() == day]
        day_rota = [p for p in rota if p.runs_on(day)]
        if day_appointments or day_rota or offset < 5:
            days.append({"day": day, "appointments": day_appointments, "rota": day_rota})
    context = {
        "days": days,
        "monday": monday,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "today": timezone.localdate(),
        "can_edit": membership.can("people.edit"),
        "can_manage": membership.can("structure.manage"),
    }
    return render(request, "agenda/week.html", context)


def appointment_create(request):
    membership = require(request, "people.edit")
    structure = membership.structure
    person = referral = None
    source = request.POST if request.method == "POST" else request.GET
    if source.get("personne", "").isdigit():
        person = person_for_edit(request, int(source["personne"]))
    elif source.get("demande", "").isdigit():
        referral = Referral.objects.for_structure(structure).filter(pk=source["demande"]).first()
        if referral is None:
            raise Http404
    slots = selectors.free_slots(structure, start=timezone.localdate(), days=selectors.BOOKING_HORIZON_DAYS)[
        :200
    ]
    form = AppointmentForm(request.POST or None, structure=structure, slots=slots)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            permanence = None
            if data.get("slot"):
                slot = selectors.parse_slot(structure, data["slot"])
                permanence, starts_at, ends_at = slot.permanence, slot.starts_at, slot.ends_at
            else:
                starts_at, ends_at = data["starts_at"], data["ends_at"]
            appointment = actions.schedule(
                structure=structure,
                actor=request.user,
                title=data["title"],
                starts_at=starts_at,
                ends_at=ends_at,
                kind=data["kind"],
                place=data.get("place") or (permanence.place if permanence else None),
                permanence=permanence,
                capacity=data.get("capacity") or 1,
                location_note=data.get("location_note", ""),
            )
            if person or referral:
                actions.add_participant(
                    appointment=appointment,
                    structure=structure,
                    actor=request.user,
                    person=person,
                    referral=referral,
                    invite=data.get("invite", False),
                )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Le rendez-vous est fixé.")
            return redirect("appointment_detail", pk=appointment.pk)
    context = {"form": form, "person": person, "referral": referral, "has_slots": bool(slots)}
    return render(request, "agenda/appointment_form.html", context)


def _add_errors(form, exc: ValidationError) -> None:
    """The domain speaks of starts_at and ends_at; the form of a date, an hour and a duration."""
    if hasattr(exc, "error_dict"):
        renamed = {"starts_at": "day", "ends_at": "duration"}
        exc = ValidationError({renamed.get(k, k): v for k, v in exc.error_dict.items()})
    add_to_form(form, exc)


def _subject(request, structure):
    """The person file (?personne=) or the referral (?demande=) an appointment is for, or 404."""
    source = request.POST if request.method == "POST" else request.GET
    if source.get("personne", "").isdigit():
        return person_for_edit(request, int(source["personne"])), None
    if source.get("demande", "").isdigit():
        referral = Referral.objects.for_structure(structure).filter(pk=source["demande"]).first()
        if referral is not None:
            return None, referral
    raise Http404


def appointment_past_create(request):
    """Note an appointment that already took place: a separate action that sends nothing."""
    membership = require(request, "people.edit")
    structure = membership.structure
    person, referral = _subject(request, structure)
    form = PastAppointmentForm(request.POST or None, structure=structure)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant = actions.record_past_appointment(
                structure=structure,
                actor=request.user,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                person=person,
                referral=referral,
                outcome=data["outcome"],
                place=data.get("place"),
                location_note=data.get("location_note", ""),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Le rendez-vous passé est noté. Aucun message n'a été envoyé.")
            if person is not None:
                return redirect("person_appointments", pk=person.pk)
            return redirect("appointment_detail", pk=participant.appointment_id)
    context = {"form": form, "person": person, "referral": referral}
    return render(request, "agenda/appointment_past_form.html", context)


def appointment_edit(request, pk: int):
    appointment = _appointment(request, pk, "people.edit")
    structure = request.membership.structure
    if appointment.is_cancelled:
        messages.error(request, "Ce rendez-vous est annulé : fixez-en un nouveau.")
        return redirect("appointment_detail", pk=appointment.pk)
    form = AppointmentEditForm(request.POST or None, structure=structure, appointment=appointment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.update_appointment(
                appointment=appointment,
                structure=structure,
                actor=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                title=data["title"],
                place=data.get("place"),
                location_note=data.get("location_note", ""),
                organiser=data.get("organiser"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not changed:
                messages.info(request, "Rien n'a changé.")
            elif set(changed) & set(actions.TOLD_FIELDS) and data["starts_at"] > timezone.now():
                messages.success(
                    request,
                    "Le rendez-vous est modifié. Les personnes attendues sont prévenues "
                    "si elles ont accepté les SMS ou e-mails.",
                )
            else:
                messages.success(request, "Le rendez-vous est modifié.")
            return redirect("appointment_detail", pk=appointment.pk)
    return render(request, "agenda/appointment_edit.html", {"form": form, "appointment": appointment})


def _appointment(request, pk: int, permission: str = "people.view") -> Appointment:
    membership = require(request, permission)
    appointment = (
        Appointment.objects.for_structure(membership.structure)
        .select_related("structure", "place", "place__commune", "permanence", "organiser")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


@require_GET
def appointment_detail(request, pk: int):
    appointment = _appointment(request, pk)
    participants = list(appointment.participants.select_related("person", "referral").order_by("pk"))
    _audit_reads(request, participants, "rendez-vous")
    context = {
        "appointment": appointment,
        "participants": participants,
        "outcomes": [
            (Outcome.SEEN, "Vu·e"),
            (Outcome.EXCUSED, "Excusé·e"),
            (Outcome.ABSENT, "Absent·e"),
            (Outcome.NOT_HELD, "N'a pas eu lieu"),
        ],
        "started": appointment.starts_at <= timezone.now(),
        "can_edit": request.membership.can("people.edit"),
        "seats_left": appointment.capacity - len(participants),
    }
    return render(request, "agenda/appointment_detail.html", context)


@require_POST
def appointment_outcome(request, pk: int, participant_pk: int):
    appointment = _appointment(request, pk, "people.edit")
    participant = (
        appointment.participants.select_related("person", "referral").filter(pk=participant_pk).first()
    )
    if participant is None:
        raise Http404
    participant.appointment = appointment
    try:
        actions.record_outcome(
            participant=participant,
            structure=request.membership.structure,
            actor=request.user,
            outcome=request.POST.get("outcome", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Présence notée : {participant.get_outcome_display().lower()}.")
    return redirect("appointment_detail", pk=appointment.pk)


@require_POST
def appointment_cancel(request, pk: int):
    appointment = _appointment(request, pk, "people.edit")
    if appointment.is_cancelled:
        messages.info(request, "Ce rendez-vous était déjà annulé.")
    else:
        actions.cancel_appointment(
            appointment=appointment, structure=request.membership.structure, actor=request.user
        )
        messages.success(request, "Le rendez-vous est annulé ; les personnes invitées sont prévenues.")
    return redirect("appointment_detail", pk=appointment.pk)


def _ics_response(appointment) -> HttpResponse:
    response = HttpResponse(ics.appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rendez-vous.ics"'
    return response


@require_GET
def appointment_ics(request, pk: int):
    return _ics_response(_appointment(request, pk))


# --- Places and rota ---------------------------------------------------------------------------


def place_list(request):
    membership = require(request, "people.view")
    structure = membership.structure
    form = PlaceForm(request.POST or None)
    if request.method == "POST":
        require(request, "structure.manage")
        if form.is_valid():
            try:
                place = actions.create_place(structure=structure, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, "Le lieu est ajouté.")
                return redirect("place_detail", pk=place.pk)
    places = list(
        selectors.places_for(structure)
        .select_related("structure", "commune")
        .annotate(permanence_count=Count("permanences", distinct=True))
    )
    context = {"places": places, "form": form, "can_manage": membership.can("structure.manage")}
    return render(request, "agenda/places.html", context)


def _place(request, pk: int) -> Place:
    membership = require(request, "people.view")
    place = (
        selectors.places_for(membership.structure)
        .select_related("structure", "commune")
        .filter(pk=pk)
        .first()
    )
    if place is None:
        raise Http404
    return place


@require_GET
def place_detail(request, pk: int):
    place = _place(request, pk)
    return _render_place(request, place, _permanence_form(request, place))


def _permanence_form(request, place):
    structure = request.membership.structure
    if place.structure_id != structure.pk or not request.membership.can("structure.manage"):
        return None
    return PermanenceForm(request.POST or None, structure=structure)


def _render_place(request, place, form):
    permanences = list(place.permanences.select_related("host").order_by("weekday", "start_time", "pk"))
    context = {
        "place": place,
        "permanences": permanences,
        "form": form,
        "can_manage": form is not None,
        "today": timezone.localdate(),
    }
    return render(request, "agenda/place_detail.html", context)


@require_POST
def place_permanence_add(request, pk: int):
    membership = require(request, "structure.manage")
    place = Place.objects.owned_by(membership.structure).filter(pk=pk).select_related("structure").first()
    if place is None:
        raise Http404
    form = _permanence_form(request, place)
    if form.is_valid():
        data = {**form.cleaned_data, "host": form.cleaned_data.get("host") or membership.structure}
        try:
            actions.add_permanence(place=place, structure=membership.structure, actor=request.user, data=data)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "La permanence est ajoutée au planning.")
            return redirect("place_detail", pk=place.pk)
    return _render_place(request, place, form)


@require_POST
def permanence_end(request, pk: int):
    membership = require(request, "structure.manage")
    place = Place.objects.owned_by(membership.structure).filter(permanences__pk=pk).first()
    if place is None:
        raise Http404
    permanence = place.permanences.get(pk=pk)
    try:
        last_day = date.fromisoformat(request.POST.get("last_day", ""))
        actions.end_permanence(
            permanence=permanence, structure=membership.structure, actor=request.user, last_day=last_day
        )
    except ValueError:
        messages.error(request, "Indiquez le dernier jour de la permanence (date).")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "La permanence prendra fin à cette date.")
    return redirect("place_detail", pk=place.pk)


# --- A person's appointments -------------------------------------------------------------------


@require_GET
def person_appointments(request, pk: int):
    person = person_for_read(request, pk)
    structure = request.membership.structure
    own = person.structure_id == structure.pk
    participations = list(selectors.person_appointments(person, structure))
    collective = []
    if own:
        collective = [
            a
            for a in selectors.open_collective(structure).exclude(participants__person=person)[:50]
            if a.taken < a.capacity
        ]
    record(action=Action.READ, actor=request.user, structure=structure, obj=person, detail="rendez-vous")
    context = {
        "person": person,
        "participations": participations,
        "collective": collective,
        "can_edit": own and request.membership.can("people.edit"),
    }
    return render(request, "agenda/person_appointments.html", context)


@require_POST
def person_appointment_join(request, pk: int, appointment_pk: int):
    person = person_for_edit(request, pk)
    structure = request.membership.structure
    appointment = selectors.open_collective(structure).filter(pk=appointment_pk).first()
    if appointment is None:
        raise Http404
    try:
        actions.add_participant(
            appointment=appointment, structure=structure, actor=request.user, person=person, invite=True
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, "La personne est inscrite ; l'invitation part si elle a accepté d'être contactée."
        )
    return redirect("person_appointments", pk=person.pk)


@require_POST
def person_booking_link(request, pk: int):
    person = person_for_edit(request, pk)
    sent = actions.send_booking_link(
        structure=request.membership.structure, actor=request.user, person=person
    )
    if sent:
        messages.success(request, "Le lien de prise de rendez-vous est envoyé.")
    else:
        messages.error(
            request, "Aucun envoi : la personne n'a pas accepté d'être contactée par SMS ou e-mail."
        )
    return redirect("person_appointments", pk=person.pk)


@require_POST
def referral_booking_link(request, pk: int):
    membership = require(request, "people.edit")
    referral = Referral.objects.for_structure(membership.structure).filter(pk=pk).first()
    if referral is None:
        raise Http404
    actions.send_booking_link(structure=membership.structure, actor=request.user, referral=referral)
    messages.success(request, "Le lien de prise de rendez-vous est envoyé.")
    return redirect("referral_detail", pk=referral.pk)


# --- Self-booking, no account ------------------------------------------------------------------


def _booking(token: str):
    booker = links.resolve_booking(token)
    return booker, *actions.booking_subject(booker)


@login_not_required
@never_cache
def public_booking(request, token: str):
    try:
        booker, structure, person, referral = _booking(token)
    except LinkError as error:
        return refused(request, error.reason)
    upcoming = selectors.upcoming_with(structure, person=person, referral=referral)
    slots = (
        []
        if upcoming
        else selectors.free_slots(
            structure, start=timezone.localdate(), days=selectors.BOOKING_HORIZON_DAYS, self_booking=True
        )[:60]
    )
    form = BookingForm(request.POST or None, slots=slots)
    if request.method == "POST" and is_ratelimited(
        request, group="public-booking", key=lambda g, r: token, rate="20/h", method="POST", increment=True
    ):
        return render(request, "public/flooded.html", {"structure": structure}, status=429)
    if request.method == "POST" and not upcoming and form.is_valid():
        try:
            actions.book_from_link(booker=booker, slot_key=form.cleaned_data["slot"])
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            return redirect("public_booking", token=token)
    context = {
        "structure": structure,
        "upcoming": upcoming,
        "form": form,
        "slots": slots,
        "token": token,
        "first_name": (person or referral).first_name,
    }
    return render(request, "public/booking.html", context)


@login_not_required
@never_cache
@require_GET
def public_booking_ics(request, token: str):
    try:
        _booker, structure, person, referral = _booking(token)
    except LinkError:
        raise Http404 from None
    upcoming = selectors.upcoming_with(structure, person=person, referral=referral)
    if upcoming is None:
        raise Http404
    return _ics_response(upcoming.appointment)

"""A session: its people, enrolment and invitation, cancellation and end of stage, teams,
trainers and the signing sheet."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.people.models import Person
from jalon.people.selectors import search_people
from jalon.programmes import actions, links, selectors
from jalon.programmes.models import SEATED, Enrolment, EnrolmentStatus, LeftReason, Session, Team
from jalon.www import confirm
from jalon.www.scoping import person_for_edit

from ..forms import FinishForm, TeamsForm
from .scoping import _enrolment, _fail, _found, _record_reads, _session


def _session_context(request, session: Session):
    enrolments = selectors.session_enrolments(session, request.membership.structure, counts=True)
    _record_reads(request, enrolments, "session")
    return enrolments


@require_GET
def session_detail(request, pk: int):
    session = _session(request, pk)
    membership = request.membership
    structure = membership.structure
    enrolments = _session_context(request, session)
    seated = [e for e in enrolments if e.status in SEATED]
    waiting = [e for e in enrolments if e.status == EnrolmentStatus.WAITING]
    marked = sum(e.marked for e in seated)
    attendance_rate = round(100 * sum(e.attended for e in seated) / marked) if marked else None
    query = request.GET.get("q", "").strip()
    found = []
    if query and membership.can("people.edit"):
        already = {e.person_id for e in enrolments}
        found = [
            p
            for p in search_people(
                Person.objects.owned_by(structure).filter(archived_at__isnull=True), query
            ).order_by("search_name", "pk")[:20]
            if p.pk not in already
        ]
    trainers = list(session.trainers.select_related("user", "person"))
    peers = selectors.peers_of(structure)
    peer_links = {}
    if membership.can("programmes.manage"):
        peer_links = {
            t.pk: links.roll_call_url(session=session, peer=t.person) for t in trainers if t.person_id
        }
    for t in trainers:
        t.roll_call_link = peer_links.get(t.pk)
    teams = list(session.teams.annotate(n=Count("members")))
    slots = list(session.slots.all())
    # Past slots fold away on a long session (a three-month simulator has forty).
    today_start = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
    return render(
        request,
        "programmes/session.html",
        {
            "session": session,
            "stage": session.stage,
            "programme": session.stage.programme,
            "slots": slots,
            "past_slots": [slot for slot in slots if slot.ends_at < today_start],
            "next_slots": [slot for slot in slots if slot.ends_at >= today_start],
            "seated": seated,
            "waiting": waiting,
            "seats_left": max(session.capacity - len(seated) - enrolments.hidden_in(SEATED), 0),
            "hidden": enrolments.hidden_in(SEATED),
            "attendance_rate": attendance_rate,
            "marked": marked,
            "query": query,
            "found": found,
            "trainers": trainers,
            "peers": peers,
            "teams": teams,
            "teams_form": TeamsForm(initial={"teams": max(2, len(seated) // 8)}),
            "finish_form": FinishForm(initial={"ended_on": timezone.localdate()}),
            "can_edit": membership.can("people.edit"),
            "can_manage": membership.can("programmes.manage"),
            "can_call": membership.can("attendance.take"),
        },
    )


@require_POST
def session_enrol(request, pk: int, person_pk: int):
    session = _session(request, pk, "people.edit")
    person = person_for_edit(request, person_pk)
    override = request.POST.get("passer_outre") == "1" and request.membership.can("programmes.manage")
    try:
        enrolment = actions.enrol(
            session=session,
            person=person,
            structure=request.membership.structure,
            actor=request.user,
            override=override,
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        if enrolment.status == EnrolmentStatus.WAITING:
            messages.success(
                request, f"Session complète : en liste d'attente, rang {enrolment.waiting_rank}."
            )
        else:
            messages.success(request, "Inscription enregistrée.")
    return redirect("session_detail", pk=session.pk)


@require_POST
def session_invite(request, pk: int, person_pk: int):
    session = _session(request, pk, "people.edit")
    person = person_for_edit(request, person_pk)
    _, sent = actions.invite(
        session=session, person=person, structure=request.membership.structure, actor=request.user
    )
    if sent:
        messages.success(request, f"Invitation envoyée ({sent} message(s)) avec le lien pour s'inscrire.")
    else:
        messages.warning(
            request,
            "Invitation enregistrée, mais aucun message envoyé : la personne n'a pas accepté d'être contactée "
            "par SMS ou e-mail. Prévenez-la de vive voix.",
        )
    return redirect("session_detail", pk=session.pk)


def _cancel_confirmation(request, session: Session, enrolment: Enrolment):
    person = enrolment.person
    # The page names one of our own people: the read is traced like any other.
    record(action=Action.READ, actor=request.user, structure=request.membership.structure, obj=person)
    stage = session.stage
    what = f"{stage.programme.name} — {stage.name}, session du {session.starts_on:%d/%m/%Y}"
    if enrolment.status == EnrolmentStatus.WAITING:
        title = f"Retirer {person.full_name} de la liste d'attente ?"
        consequences = [f"{person.first_name} ne sera plus en attente d'une place ({what})."]
        button = "Oui, retirer de la liste d'attente"
    else:
        title = f"Annuler l'inscription de {person.full_name} ?"
        waiting = session.enrolments.filter(status=EnrolmentStatus.WAITING).exists()
        consequences = [
            f"L'inscription de {person.first_name} à cette session sera annulée ({what}).",
            "La place sera proposée à la première personne en liste d'attente."
            if waiting
            else "La place redevient libre.",
        ]
        button = "Oui, annuler l'inscription"
    return confirm.page(
        request,
        title=title,
        consequences=consequences,
        button=button,
        back_url=reverse("session_detail", args=[session.pk]),
    )


@confirm.get_or_post
def enrolment_cancel(request, pk: int, enrolment_pk: int):
    session = _session(request, pk, "people.edit")
    enrolment = _enrolment(request, session, enrolment_pk)
    if not confirm.confirmed(request):
        return _cancel_confirmation(request, session, enrolment)
    try:
        promoted = actions.cancel(
            enrolment=enrolment, structure=request.membership.structure, actor=request.user
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(
            request,
            "Inscription annulée."
            + (" La première personne de la liste d'attente prend la place." if promoted else ""),
        )
    return redirect("session_detail", pk=session.pk)


@require_POST
def enrolment_finish(request, pk: int, enrolment_pk: int):
    session = _session(request, pk, "people.edit")
    enrolment = _enrolment(request, session, enrolment_pk)
    form = FinishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date de fin (JJ/MM/AAAA).")
        return redirect("session_detail", pk=session.pk)
    try:
        actions.finish(
            enrolment=enrolment,
            structure=request.membership.structure,
            actor=request.user,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        if form.cleaned_data["reason"] == LeftReason.REORIENTED:
            # Redirected to another actor: that is an orientation, recorded as such.
            messages.info(request, "Étape quittée. Enregistrez maintenant l'orientation vers l'autre acteur.")
            return redirect("orientation_create", enrolment.person_id)
        messages.success(request, "Étape mise à jour dans le parcours de la personne.")
    return redirect("session_detail", pk=session.pk)


@require_POST
def session_teams(request, pk: int):
    session = _session(request, pk, "programmes.manage")
    structure = request.membership.structure
    if request.POST.get("enrolment", "").isdigit():  # by hand: one person to a team
        enrolment = _enrolment(request, session, int(request.POST["enrolment"]))
        team = None
        if request.POST.get("team", "").isdigit():
            team = Team.objects.filter(pk=request.POST["team"], session=session).first()
            if team is None:
                raise Http404
        actions.assign_team(enrolment=enrolment, team=team, structure=structure, actor=request.user)
        messages.success(request, "Équipe changée.")
        return redirect(reverse("session_detail", args=[session.pk]) + "#equipes")
    form = TeamsForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Indiquez un nombre d'équipes entre 2 et 50.")
        teams = actions.split_teams(
            session=session, structure=structure, actor=request.user, teams=form.cleaned_data["teams"]
        )
        messages.success(
            request,
            f"{len(teams)} équipes composées, de tailles égales à une personne près, profils mélangés.",
        )
    except ValidationError as exc:
        _fail(request, exc)
    return redirect(reverse("session_detail", args=[session.pk]) + "#equipes")


@require_POST
def session_trainer_add(request, pk: int):
    session = _session(request, pk, "programmes.manage")
    structure = request.membership.structure
    chosen = {}
    raw = request.POST.get("pair", "")
    if raw.isdigit():
        peer = _found(selectors.peer_for(structure, raw))
        chosen["person"] = peer.person
    elif request.POST.get("moi") == "1":
        chosen["user"] = request.user
    else:
        chosen["label"] = request.POST.get("label", "")
    try:
        actions.add_trainer(session=session, structure=structure, actor=request.user, **chosen)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "Animateur·rice ajouté·e.")
    return redirect("session_detail", pk=session.pk)


@require_GET
def session_sheet(request, pk: int):
    """The signing sheet as PDF: one line per seated person, one column per slot."""
    from weasyprint import HTML

    session = _session(request, pk, "attendance.take")
    rows = _session_context(request, session)
    enrolments = [e for e in rows if e.status in SEATED]
    html = render_to_string(
        "programmes/sheet.html",
        {
            "session": session,
            "slots": list(session.slots.all()),
            "enrolments": enrolments,
            "trainers": list(session.trainers.select_related("user", "person")),
            "structure": request.membership.structure,
            # A partner's people who do not share their file sign on a blank line, unnamed.
            "blank_lines": range(2 + rows.hidden_in(SEATED)),
        },
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="emargement-session-{session.pk}.pdf"'
    return response

"""Programmes: the designer, sessions and enrolments, the roll call, pathways and the funnel.

A programme is visible to the structures that run it. In a co-run programme each structure
enrols its own people; the others see them as "Prénom N." in lists and roll calls (what running
a session together needs) and never open their file.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record, record_person_reads
from jalon.audit.models import Action
from jalon.links import LinkError
from jalon.people.models import Person
from jalon.people.selectors import search_people
from jalon.programmes import actions, links, rollup, rules, selectors
from jalon.programmes.models import (
    SEATED,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    EntryRule,
    Invitation,
    LeftReason,
    Peer,
    Programme,
    RuleKind,
    Session,
    Slot,
    Stage,
    Team,
)
from jalon.text import agree
from jalon.www import confirm
from jalon.www.errors import refused
from jalon.www.scoping import person_for_edit, person_for_read, require

from .forms import (
    CopyForm,
    ExitForm,
    FinishForm,
    PeriodForm,
    ProgrammeForm,
    RuleForm,
    SessionForm,
    StageForm,
    TeamsForm,
)

# --- Scoping: an object of a programme the current structure runs, else 404 --------------------


def _programme(request, pk: int, permission: str = "people.view") -> Programme:
    membership = require(request, permission)
    return _found(selectors.programme_for(membership.structure, pk))


def _stage(request, pk: int, permission: str) -> Stage:
    membership = require(request, permission)
    return _found(selectors.stage_for(membership.structure, pk))


def _session(request, pk: int, permission: str = "people.view") -> Session:
    membership = require(request, permission)
    return _found(selectors.session_for(membership.structure, pk))


def _enrolment(request, session: Session, pk: int) -> Enrolment:
    """An enrolment of `session` whose person belongs to the current structure, else 404."""
    return _found(selectors.enrolment_for(request.membership.structure, pk, session=session))


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Programmes and the designer ---------------------------------------------------------------


def programme_list(request):
    membership = require(request, "people.view")
    structure = membership.structure
    can_manage = membership.can("programmes.manage")
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST":
        require(request, "programmes.manage")
        if form.is_valid():
            programme = actions.create_programme(structure=structure, actor=request.user, **form.cleaned_data)
            messages.success(request, "Programme créé : ajoutez ses étapes.")
            return redirect("programme_detail", pk=programme.pk)
    programmes = selectors.programmes_with_counts(structure)
    templates = selectors.templates_for(structure)
    return render(
        request,
        "programmes/list.html",
        {"programmes": programmes, "templates": templates, "form": form, "can_manage": can_manage},
    )


def _stages_with_sessions(programme: Programme, today: date):
    """Stages in order, each with its rules, its next ten sessions and its five latest ones.

    Two bounded queries for all the stages (sessions numbered per stage, the first kept): a
    national programme has thousands of workshop sessions, and the page must grow neither with
    them nor with its stages.
    """
    stages = list(
        programme.stages.order_by("position").prefetch_related(
            Prefetch("rules", queryset=EntryRule.objects.select_related("of_stage"))
        )
    )
    counted = Session.objects.filter(stage__in=stages).annotate(
        seated=Count("enrolments", filter=Q(enrolments__status__in=SEATED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
    )

    def first_per_stage(queryset, order, limit):
        ranked = queryset.annotate(rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=order))
        by_stage = defaultdict(list)
        for session in ranked.filter(rank__lte=limit).order_by("stage_id", "rank"):
            by_stage[session.stage_id].append(session)
        return by_stage

    upcoming = first_per_stage(
        counted.filter(starts_on__gte=today), [F("starts_on").asc(), F("pk").asc()], 10
    )
    recent = first_per_stage(counted.filter(starts_on__lt=today), [F("starts_on").desc(), F("pk").desc()], 5)
    for stage in stages:
        stage.upcoming = upcoming[stage.pk]
        stage.recent = recent[stage.pk]
    return stages


@require_GET
def programme_detail(request, pk: int):
    programme = _programme(request, pk)
    membership = request.membership
    stages = _stages_with_sessions(programme, timezone.localdate())
    proposals = {}
    if membership.can("people.edit"):
        for stage in stages:
            if any(r.kind in (RuleKind.MIN_ATTENDED, RuleKind.PREVIOUS) for r in stage.rules.all()):
                proposals[stage.pk] = len(rules.proposals(stage, membership.structure))
    for stage in stages:
        stage.proposal_count = proposals.get(stage.pk)
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "owners": list(programme.owners.all()),
            "stages": stages,
            "stage_form": StageForm(),
            "copy_form": CopyForm(initial={"name": f"{programme.name} (copie)"}),
            "can_manage": membership.can("programmes.manage"),
            "can_edit": membership.can("people.edit"),
            "rule_kinds": RuleKind.choices,
        },
    )


@require_POST
def programme_copy(request, pk: int):
    membership = require(request, "programmes.manage")
    programme = _found(selectors.copyable_programme(membership.structure, pk))
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Donnez un nom à la copie.")
        return redirect("programme_list")
    copy = actions.copy_programme(
        programme=programme,
        structure=membership.structure,
        actor=request.user,
        name=form.cleaned_data["name"],
    )
    messages.success(
        request, "Programme copié avec ses étapes et ses conditions d'entrée (sans les sessions)."
    )
    return redirect("programme_detail", pk=copy.pk)


@require_POST
def stage_add(request, pk: int):
    programme = _programme(request, pk, "programmes.manage")
    form = StageForm(request.POST)
    if form.is_valid():
        actions.add_stage(
            programme=programme,
            structure=request.membership.structure,
            actor=request.user,
            **form.cleaned_data,
        )
        messages.success(request, "Étape ajoutée.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("programme_detail", args=[programme.pk]) + "#etapes")


@require_POST
def stage_move(request, pk: int):
    stage = _stage(request, pk, "programmes.manage")
    actions.move_stage(
        stage=stage,
        structure=request.membership.structure,
        actor=request.user,
        up=request.POST.get("sens") != "bas",
    )
    return redirect(reverse("programme_detail", args=[stage.programme_id]) + f"#etape-{stage.pk}")


@require_POST
def stage_rule_add(request, pk: int):
    stage = _stage(request, pk, "programmes.manage")
    form = RuleForm(request.POST, stage=stage)
    if form.is_valid():
        try:
            actions.add_rule(
                stage=stage, structure=request.membership.structure, actor=request.user, **form.cleaned_data
            )
            messages.success(request, "Condition d'entrée ajoutée.")
        except ValidationError as exc:
            _fail(request, exc)
    else:
        messages.error(
            request, "Choisissez une condition, et pour les séances suivies : leur nombre et l'étape."
        )
    return redirect(reverse("programme_detail", args=[stage.programme_id]) + f"#etape-{stage.pk}")


def session_create(request, pk: int):
    stage = _stage(request, pk, "programmes.manage")
    form = SessionForm(request.POST or None, initial={"capacity": stage.capacity})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = actions.schedule_session(
            stage=stage,
            structure=request.membership.structure,
            actor=request.user,
            slots=data.pop("slots"),
            **data,
        )
        messages.success(request, "Session programmée : inscrivez les participant·es.")
        return redirect("session_detail", pk=session.pk)
    return render(request, "programmes/session_form.html", {"stage": stage, "form": form})


def stage_proposals(request, pk: int):
    """The people who meet the stage's entry rules: invite them to one of its sessions."""
    stage = _stage(request, pk, "people.edit")
    structure = request.membership.structure
    ids = rules.proposals(stage, structure)
    people = list(Person.objects.filter(pk__in=ids).order_by("search_name", "pk"))
    sessions = list(stage.sessions.filter(starts_on__gte=timezone.localdate()).order_by("starts_on"))
    if request.method == "POST":
        session = next((s for s in sessions if str(s.pk) == request.POST.get("session")), None)
        chosen = {int(v) for v in request.POST.getlist("personnes") if v.isdigit()} & set(ids)
        if session is None or not chosen:
            messages.error(request, "Choisissez une session à venir et au moins une personne.")
        else:
            written = 0
            for person in people:
                if person.pk in chosen:
                    written += actions.invite(
                        session=session, person=person, structure=structure, actor=request.user
                    )[1]
            messages.success(
                request,
                f"{len(chosen)} invitation(s) enregistrée(s), {written} message(s) envoyé(s) "
                "(seulement aux personnes qui ont accepté d'être contactées).",
            )
            return redirect("session_detail", pk=session.pk)
    record_person_reads(actor=request.user, structure=structure, person_ids=ids, detail="propositions")
    context = {"stage": stage, "people": people, "sessions": sessions}
    # Only those who may schedule a session are sent to the page that does it.
    context["can_manage"] = request.membership.can("programmes.manage")
    return render(request, "programmes/proposals.html", context)


# --- Sessions ----------------------------------------------------------------------------------


def _session_context(request, session: Session):
    enrolments = selectors.session_enrolments(session, request.membership.structure, counts=True)
    _record_reads(request, enrolments, "session")
    return enrolments


def _record_reads(request, enrolments, detail: str, *, structure=None, via: str = "web") -> None:
    """One read event per file of the structure's own people shown (one statement)."""
    structure = structure or request.membership.structure
    record_person_reads(
        actor=request.user,
        structure=structure,
        person_ids=selectors.own_person_ids(enrolments, structure),
        detail=detail,
        via=via,
    )


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
            "seats_left": max(session.capacity - len(seated), 0),
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
    enrolments = [e for e in _session_context(request, session) if e.status in SEATED]
    html = render_to_string(
        "programmes/sheet.html",
        {
            "session": session,
            "slots": list(session.slots.all()),
            "enrolments": enrolments,
            "trainers": list(session.trainers.select_related("user", "person")),
            "structure": request.membership.structure,
        },
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="emargement-session-{session.pk}.pdf"'
    return response


# --- Roll call (staff, or the peer facilitator from their link) --------------------------------


def _roll_call(request, slot: Slot, *, structure, actor=None, peer=None):
    session = slot.session
    enrolments = selectors.roll_call_enrolments(slot, structure)
    if request.method == "POST":
        marks = {}
        for e in enrolments:
            value = request.POST.get(f"e{e.pk}", "")
            if value:
                marks[e.pk] = value
            elif request.POST.get("tous") == "present":
                marks[e.pk] = AttendanceStatus.PRESENT
        try:
            if not marks:
                raise ValidationError(
                    "Choisissez une présence pour au moins une personne, ou « Tous présents »."
                )
            n = actions.take_attendance(slot=slot, marks=marks, structure=structure, actor=actor, peer=peer)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            missing = len(enrolments) - len(marks)
            text = f"Appel enregistré ({n} changement(s))."
            if missing:
                text += f" {missing} personne(s) sans présence notée."
            messages.success(request, text)
            return redirect(request.get_full_path())
    # Who saw these names: the staff member, or the peer facilitator through their link.
    owners = {e.person.structure for e in enrolments} if peer else ({structure} if structure else set())
    for owner in owners:
        detail = "appel par un·e pair·e" if peer else "appel"
        _record_reads(request, enrolments, detail, structure=owner, via="link" if peer else "web")
    current = dict(slot.attendances.values_list("enrolment_id", "status"))
    for e in enrolments:
        e.mark = current.get(e.pk, "")
    slots = list(session.slots.all())
    return render(
        request,
        "programmes/roll_call.html",
        {
            "session": session,
            "slot": slot,
            "slots": slots,
            "enrolments": enrolments,
            "choices": AttendanceStatus.choices,
            "peer": peer,
            "marked": sum(1 for e in enrolments if e.mark),
        },
    )


def slot_roll_call(request, pk: int):
    membership = require(request, "attendance.take")
    slot = _found(selectors.slot_for(membership.structure, pk))
    return _roll_call(request, slot, structure=membership.structure, actor=request.user)


@login_not_required
@never_cache
def peer_roll_call(request, token: str):
    """A peer facilitator's roll call from their phone, without an account."""
    try:
        session_id, peer_id = links.resolve_roll_call(token)
    except LinkError as exc:
        return refused(request, str(exc))
    session = (
        Session.objects.filter(pk=session_id, trainers__person_id=peer_id)
        .select_related("stage__programme")
        .first()
    )
    if session is None:
        return refused(request, "revoque")
    peer = Person.objects.get(pk=peer_id)
    slots = list(session.slots.all())
    chosen = request.GET.get("creneau", "")
    slot = next((s for s in slots if str(s.pk) == chosen), None)
    if slot is None:
        today = timezone.localdate()
        slot = next(
            (s for s in slots if timezone.localtime(s.starts_at).date() >= today),
            slots[-1] if slots else None,
        )
    if slot is None:
        return refused(request, "revoque")
    # The peer sees first names and initials only: they are a participant, not staff.
    return _roll_call(request, slot, structure=None, peer=peer)


# --- Registration from an invitation -----------------------------------------------------------


@login_not_required
@never_cache
def programme_registration(request, token: str):
    try:
        invitation_id = links.resolve_registration(token)
    except LinkError as exc:
        return refused(request, str(exc))
    invitation = (
        Invitation.objects.filter(pk=invitation_id)
        .select_related("session__stage__programme", "person__structure")
        .first()
    )
    if invitation is None or invitation.session.starts_on < timezone.localdate():
        return refused(request, "revoque")
    session, person = invitation.session, invitation.person
    enrolment = session.enrolments.filter(person=person).exclude(status=EnrolmentStatus.CANCELLED).first()
    error = ""
    if request.method == "POST" and enrolment is None:
        try:
            enrolment = actions.enrol(
                session=session, person=person, structure=person.structure, actor=None, via="link"
            )
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [])) or "Inscription impossible : appelez la structure."
    return render(
        request,
        "programmes/registration.html",
        {
            "session": session,
            "slots": list(session.slots.all()),
            "structure": person.structure,
            "first_name": person.first_name,
            "enrolment": enrolment,
            "error": error,
        },
    )


# --- Pathway on the person file ----------------------------------------------------------------


def _exit_form(data, structure):
    programmes = selectors.programme_choices(structure)
    return ExitForm(data, programmes=programmes, initial={"exited_on": timezone.localdate()}), programmes


@require_GET
def person_pathway(request, pk: int):
    person = person_for_read(request, pk)
    membership = request.membership
    structure = membership.structure
    can_edit = person.structure_id == structure.pk and membership.can("people.edit")
    form, programmes = _exit_form(None, structure)
    record(action=Action.READ, actor=request.user, structure=structure, obj=person, detail="parcours")
    enrolments = selectors.pathway_enrolments(person, structure)
    exits = selectors.pathway_exits(person, structure)
    return render(
        request,
        "programmes/pathway.html",
        {
            "person": person,
            "enrolments": enrolments,
            "exits": exits,
            "form": form,
            "can_edit": can_edit and bool(programmes),
            "can_mark": can_edit,
            "is_peer": Peer.objects.filter(person=person).exists(),
            "diagnostic_done": person.events.filter(kind=rules.DIAGNOSTIC_EVENT).exists(),
        },
    )


@require_POST
def person_pathway_record(request, pk: int):
    """An exit, "becomes a peer", or "digital diagnostic done", from the pathway page."""
    person = person_for_edit(request, pk)
    structure = request.membership.structure
    what = request.POST.get("action")
    try:
        if what == "pair":
            actions.mark_peer(person=person, structure=structure, actor=request.user)
            messages.success(
                request,
                f"{agree(person, 'Marqué')} comme {agree(person, 'pair', 'paire')} : peut accueillir et animer.",
            )
        elif what == "diagnostic":
            actions.record_diagnostic(person=person, structure=structure, actor=request.user)
            messages.success(request, "Diagnostic numérique noté comme réalisé.")
        else:
            form, programmes = _exit_form(request.POST, structure)
            if not form.is_valid():
                raise ValidationError("Choisissez le programme, la sortie et sa date (JJ/MM/AAAA).")
            category, subtype = form.cleaned_data["kind"]
            programme = next(p for p in programmes if p.pk == form.cleaned_data["programme"])
            actions.record_exit(
                programme=programme,
                person=person,
                structure=structure,
                actor=request.user,
                category=category,
                subtype=subtype,
                exited_on=form.cleaned_data["exited_on"],
            )
            messages.success(request, "Sortie enregistrée.")
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("person_pathway", pk=person.pk)


# --- Funnel and dashboard ----------------------------------------------------------------------


def _period(request) -> tuple[date, date, PeriodForm]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = today - timedelta(days=364), today
    if form.is_valid():
        start = form.cleaned_data.get("debut") or start
        end = form.cleaned_data.get("fin") or end
    return start, end, form


def _percent(value):
    return "" if value is None else f"{round(value * 100)} %"


def funnel_rows(figures) -> list[list]:
    header = [
        "Étape",
        "Personnes entrées",
        "Personnes l'ayant terminée",
        "Inscriptions",
        "Terminées",
        "Départs en cours",
        "Passage depuis l'étape précédente",
        "Durée moyenne (jours)",
        "Taux de présence",
        "Motifs de départ",
    ]
    rows = [header]
    for cell in figures.stages:
        rows.append(
            [
                cell.stage.name,
                cell.people_entered,
                cell.people_completed,
                cell.entered,
                cell.completed,
                cell.left,
                _percent(cell.conversion),
                "" if cell.mean_days is None else round(cell.mean_days, 1),
                _percent(cell.attendance_rate),
                ", ".join(f"{label} : {n}" for label, n in cell.reasons),
            ]
        )
    return rows


@require_GET
def programme_dashboard(request, pk: int):
    programme = _programme(request, pk)
    start, end, form = _period(request)
    figures = rollup.funnel(programme, start, end)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        rows = funnel_rows(figures)
        rows += [[], ["Sorties", "Nombre"]] + [[str(label), n] for _, label, n in figures.exits_by_category]
        rows += [["Taux de sortie dynamique", _percent(figures.dynamic_rate)]]
        name = f"entonnoir-{programme.pk}-{start}-{end}"
        from jalon import exports

        if fmt == "csv":
            return exports.csv_response(rows, filename=name)
        return exports.xlsx_response(rows, filename=name, title="Entonnoir")
    widest = max([c.people_entered for c in figures.stages] + [1])
    for cell in figures.stages:
        cell.width = round(100 * cell.people_entered / widest)
    exits_widest = max([n for *_, n in figures.exits_by_category] + [1])
    exits = [
        (value, label, n, round(100 * n / exits_widest)) for value, label, n in figures.exits_by_category
    ]
    return render(
        request,
        "programmes/dashboard.html",
        {
            "programme": programme,
            "figures": figures,
            "exits": exits,
            "form": form,
            "start": start,
            "end": end,
            "dynamic": _percent(figures.dynamic_rate),
            "durable": _percent(figures.durable_rate),
        },
    )

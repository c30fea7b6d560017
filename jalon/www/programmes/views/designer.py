"""Programmes and the designer: the list, a programme's stages and rules, copies, new sessions."""

from collections import defaultdict
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record_person_reads
from jalon.people.models import Person
from jalon.programmes import actions, rules, selectors
from jalon.programmes.models import SEATED, EnrolmentStatus, EntryRule, Programme, RuleKind, Session
from jalon.www.scoping import require

from ..forms import CopyForm, ProgrammeForm, RuleForm, SessionForm, StageForm
from .scoping import _fail, _found, _programme, _stage


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

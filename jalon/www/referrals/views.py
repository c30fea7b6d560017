"""Inbox and triage of referrals, intake, action plan and orientations (sent and received)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.directory.models import Service
from jalon.pagination import capped_count
from jalon.referrals import actions, links, selectors
from jalon.referrals.models import (
    OPEN_STATUSES,
    Orientation,
    OrientationStatus,
    PlanAction,
    PlanAxis,
    PlanObjective,
    Priority,
    Referral,
    ReferralSource,
    ReferralStatus,
)
from jalon.referrals.selectors import keyset_after as _after
from jalon.referrals.selectors import keyset_cursor as _cursor
from jalon.www import confirm
from jalon.www.errors import add_to_form
from jalon.www.scoping import person_for_edit, person_for_read, require

from . import forms

PAGE_SIZE = 25


def _error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return exc.messages


# --- Inbox -------------------------------------------------------------------------------------


def _agenda_url(referral) -> str:
    return reverse("appointment_create") + f"?demande={referral.pk}"


@require_GET
def referral_inbox(request):
    membership = require(request, "people.view")
    structure = membership.structure
    form = forms.InboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.inbox(
        structure,
        status=data.get("statut") or "",
        who=data.get("qui") or "",
        user=request.user,
        query=data.get("q") or "",
    )
    total, more = capped_count(queryset, cap=999)
    rows = list(
        _after(queryset, request.GET.get("apres", ""))
        .select_related("referrer", "assigned_to", "commune")
        .order_by("-created_at", "-pk")[: PAGE_SIZE + 1]
    )
    next_cursor = _cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("apres", None)
    now = timezone.now()
    context = {
        "form": form,
        "referrals": [(r, now - r.created_at) for r in rows[:PAGE_SIZE]],
        "total": total,
        "more": more,
        "next_cursor": next_cursor,
        "query": query.urlencode(),
        "can_edit": membership.can("people.edit"),
    }
    return render(request, "referrals/inbox.html", context)


def referral_create(request):
    membership = require(request, "people.edit")
    form = forms.StaffReferralForm(request.POST or None, structure=membership.structure)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data, assigned_to=request.user)
        try:
            referral = actions.create_referral(
                structure=membership.structure,
                referrer=form.cleaned_data.get("referrer"),
                source=ReferralSource.STAFF,
                data=data,
                actor=request.user,
            )
        except ValidationError as exc:
            for message in _error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "La demande est enregistrée.")
            return redirect("referral_detail", pk=referral.pk)
    return render(request, "referrals/create.html", {"form": form})


def _referral(request, pk: int, permission: str = "people.view") -> Referral:
    membership = require(request, permission)
    referral = (
        Referral.objects.for_structure(membership.structure)
        .select_related("referrer", "assigned_to", "commune", "person", "structure")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


@require_GET
def referral_detail(request, pk: int):
    referral = _referral(request, pk)
    membership = request.membership
    record(
        action=Action.READ,
        actor=request.user,
        structure=membership.structure,
        obj=referral,
        person=referral.person,
    )
    can_edit = membership.can("people.edit")
    known = (
        list(selectors.known_people(referral).select_related("commune")[:5])
        if referral.person_id is None
        else []
    )
    next_statuses = [s for s in ReferralStatus if referral.can_move_to(s) and s != ReferralStatus.WELCOMED]
    context = {
        "referral": referral,
        "can_edit": can_edit,
        "events": referral.events.select_related("actor")[:30],
        "known": known,
        "next_statuses": next_statuses,
        "status_form": forms.StatusForm(),
        "assign_form": forms.AssignForm(
            structure=membership.structure, initial={"assigned_to": referral.assigned_to_id}
        ),
        "welcome_form": forms.WelcomeForm(
            initial={"last_name": referral.last_name, "birth_date": referral.birth_date}
        ),
        "can_welcome": referral.status in OPEN_STATUSES,
        "agenda_url": _agenda_url(referral) if referral.status in OPEN_STATUSES else "",
        "orientations": referral.orientations.select_related("target_structure")
        if referral.person_id
        else [],
    }
    return render(request, "referrals/detail.html", context)


@require_POST
def referral_status(request, pk: int):
    referral = _referral(request, pk, "people.edit")
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez un statut.")
        return redirect("referral_detail", pk=pk)
    try:
        actions.change_referral_status(
            referral=referral,
            structure=request.membership.structure,
            actor=request.user,
            status=form.cleaned_data["status"],
            closed_reason=form.cleaned_data["closed_reason"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, f"Statut enregistré : {referral.get_status_display()}.")
    return redirect("referral_detail", pk=pk)


@require_POST
def referral_assign(request, pk: int):
    referral = _referral(request, pk, "people.edit")
    form = forms.AssignForm(request.POST, structure=request.membership.structure)
    if form.is_valid():
        actions.assign_referral(
            referral=referral,
            structure=request.membership.structure,
            actor=request.user,
            user=form.cleaned_data["assigned_to"],
        )
        messages.success(request, "C'est noté.")
    else:
        messages.error(request, "Choisissez un membre de votre structure.")
    return redirect("referral_detail", pk=pk)


@require_POST
def referral_welcome(request, pk: int):
    referral = _referral(request, pk, "people.edit")
    structure = request.membership.structure
    form = forms.WelcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Vérifiez la date de naissance.")
        return redirect("referral_detail", pk=pk)
    existing = None
    if form.cleaned_data.get("person"):
        # Only a file the duplicate check offered: same structure, same phone, e-mail or name.
        existing = selectors.known_people(referral).filter(pk=form.cleaned_data["person"]).first()
        if existing is None:
            raise Http404
    data = {k: form.cleaned_data[k] for k in ("last_name", "birth_date") if form.cleaned_data.get(k)}
    try:
        person = actions.welcome_referral(
            referral=referral, structure=structure, actor=request.user, person=existing, data=data
        )
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
        return redirect("referral_detail", pk=pk)
    messages.success(
        request,
        "La demande est rattachée au dossier."
        if existing
        else "Le dossier est ouvert. Enregistrez l'accord d'accompagnement.",
    )
    return redirect("person_detail", pk=person.pk)


# --- Intake and action plan ----------------------------------------------------------------------


def _intake_page(request, person, form, status=200, from_referrals=()):
    membership = request.membership
    own = person.structure_id == membership.structure_id
    intakes = selectors.intakes_of(person)[:10]
    context = {
        "person": person,
        "form": form,
        "intakes": intakes,
        "from_referrals": from_referrals,
        "can_edit": own and membership.can("people.edit"),
    }
    return render(request, "referrals/intake.html", context, status=status)


@require_GET
def person_intake(request, pk: int):
    person = person_for_read(request, pk)
    record(
        action=Action.READ,
        actor=request.user,
        structure=request.membership.structure,
        obj=person,
        detail="points de situation",
    )
    structure = request.membership.structure
    initial = {"held_on": timezone.localdate()}
    needs, referrals = selectors.referral_needs_for_intake(person, structure)
    # A person who came through a referral: the intake starts from what the referrer ticked.
    initial.update({f"need_{code}": Priority.MEDIUM for code in needs})
    return _intake_page(request, person, forms.IntakeForm(initial=initial), from_referrals=referrals)


@require_POST
def person_intake_add(request, pk: int):
    person = person_for_edit(request, pk)
    form = forms.IntakeForm(request.POST)
    if form.is_valid():
        try:
            actions.record_intake(
                person=person,
                structure=request.membership.structure,
                actor=request.user,
                held_on=form.cleaned_data["held_on"],
                summary=form.cleaned_data["summary"],
                needs=form.needs(),
            )
        except ValidationError as exc:
            for message in _error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "Le point de situation est enregistré.")
            return redirect("person_plan", pk=person.pk)
    return _intake_page(request, person, form)


@require_GET
def person_plan(request, pk: int):
    person = person_for_read(request, pk)
    membership = request.membership
    structure = membership.structure
    can_edit = person.structure_id == structure.pk and membership.can("people.edit")
    record(action=Action.READ, actor=request.user, structure=structure, obj=person, detail="plan d'action")
    axes = selectors.plan_of(person)
    last_intake = selectors.latest_intake(person)
    context = {
        "person": person,
        "axes": axes,
        "last_intake": last_intake,
        "can_edit": can_edit,
        "axis_form": forms.AxisForm(),
        "objective_form": forms.ObjectiveForm(),
        # The choices are read once for every "add an action" form of the page; the template
        # used to loop over a name the view never gave, so "Qui s'en occupe" was always empty.
        "owner_choices": forms.owner_choices(structure) if can_edit else [],
        "today": timezone.localdate(),
    }
    return render(request, "referrals/plan.html", context)


@require_POST
def person_plan_add(request, pk: int):
    person = person_for_edit(request, pk)
    structure = request.membership.structure
    kind = request.POST.get("kind")
    try:
        if kind == "axis":
            form = forms.AxisForm(request.POST)
            if form.is_valid():
                actions.add_plan_axis(
                    person=person, structure=structure, actor=request.user, **form.cleaned_data
                )
        elif kind == "objective":
            form = forms.ObjectiveForm(request.POST)
            if form.is_valid():
                axis = PlanAxis.objects.filter(person=person, pk=form.cleaned_data["axis"]).first()
                if axis is None:
                    raise Http404
                actions.add_plan_objective(
                    axis=axis, structure=structure, actor=request.user, title=form.cleaned_data["title"]
                )
        elif kind == "action":
            form = forms.PlanActionForm(request.POST, structure=structure)
            if form.is_valid():
                objective = PlanObjective.objects.filter(
                    axis__person=person, pk=form.cleaned_data["objective"]
                ).first()
                if objective is None:
                    raise Http404
                actions.add_plan_action(
                    objective=objective,
                    structure=structure,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    due_on=form.cleaned_data["due_on"],
                    owner=form.cleaned_data["owner"],
                )
        else:
            raise Http404
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
        return redirect("person_plan", pk=pk)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, "Le plan d'action est à jour.")
    return redirect("person_plan", pk=pk)


@require_GET
def plan_actions_mine(request):
    membership = require(request, "people.view")
    rows = list(
        selectors.open_plan_actions(membership.structure, request.user)
        .select_related("person", "objective")
        .order_by("due_on", "pk")[:200]
    )
    return render(request, "referrals/plan_actions_mine.html", {"rows": rows, "today": timezone.localdate()})


@require_POST
def plan_action_done(request, pk: int, action_pk: int):
    person = person_for_edit(request, pk)
    action = PlanAction.objects.filter(person=person, pk=action_pk).first()
    if action is None:
        raise Http404
    actions.complete_plan_action(
        action=action,
        structure=request.membership.structure,
        actor=request.user,
        done=request.POST.get("done", "1") == "1",
    )
    return redirect(
        request.POST.get("next")
        if request.POST.get("next") == reverse("home")
        else reverse("person_plan", args=[pk])
    )


# --- Orientations -------------------------------------------------------------------------------


def orientation_create(request, pk: int):
    person = person_for_edit(request, pk)
    structure = request.membership.structure
    referral = selectors.welcomed_referral(person, structure)
    initial = {"target_kind": "structure"}
    service = None
    if request.GET.get("service", "").isdigit():
        # Chosen in "Trouver un service": the directory is shared by everyone, not tenant data.
        service = Service.objects.select_related("structure").filter(pk=request.GET["service"]).first()
    if service is not None:
        initial = {
            "target_kind": "service",
            "target_service": service.pk,
            "target_label": f"{service.nom} ({service.structure.nom})",
            "target_email": service.courriel,
        }
    form = forms.OrientationForm(request.POST or None, structure=structure, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            orientation = actions.propose_orientation(
                person=person, structure=structure, actor=request.user, referral=referral, **form.cleaned_data
            )
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "L'orientation est envoyée.")
            return redirect("orientation_detail", pk=orientation.pk)
    return render(request, "referrals/orientation_form.html", {"person": person, "form": form})


@require_GET
def orientation_list(request):
    membership = require(request, "people.view")
    structure = membership.structure
    side = "recues" if request.GET.get("cote") == "recues" else "envoyees"
    status = request.GET.get("statut", "")
    if status not in OrientationStatus.values:
        status = ""
    base = selectors.orientations(structure, received=side == "recues", status=status)
    rows = list(
        base.select_related("person", "from_structure", "target_structure", "from_user").order_by(
            "-created_at", "-pk"
        )[:100]
    )
    context = {"orientations": rows, "side": side, "status": status, "statuses": OrientationStatus.choices}
    return render(request, "referrals/orientation_list.html", context)


def _orientation(request, pk: int, permission: str = "people.view") -> Orientation:
    membership = require(request, permission)
    orientation = (
        Orientation.objects.for_structure(membership.structure)
        .select_related("person", "from_structure", "target_structure", "from_user")
        .filter(pk=pk)
        .first()
    )
    if orientation is None:
        raise Http404
    return orientation


@require_GET
def orientation_detail(request, pk: int):
    orientation = _orientation(request, pk)
    membership = request.membership
    structure = membership.structure
    sender = orientation.from_structure_id == structure.pk
    receiver = orientation.target_structure_id == structure.pk
    record(
        action=Action.READ,
        actor=request.user,
        structure=structure,
        obj=orientation,
        person=orientation.person,
    )
    can_edit = membership.can("people.edit")
    internal = sender and orientation.target_kind == "programme"
    context = {
        "orientation": orientation,
        "sender": sender,
        "receiver": receiver,
        # The receiving side sees the person only as far as they agreed.
        "show_contact": sender or orientation.share_contact,
        "can_answer": can_edit
        and (receiver or internal)
        and orientation.status == OrientationStatus.PROPOSED,
        "can_cancel": can_edit and sender and orientation.can_move_to(OrientationStatus.CANCELLED),
        "moves": [
            s
            for s in (OrientationStatus.STARTED, OrientationStatus.FINISHED)
            if can_edit and (receiver or internal) and orientation.can_move_to(s)
        ],
        "answer_form": forms.AnswerForm(),
    }
    return render(request, "referrals/orientation_detail.html", context)


@require_POST
def orientation_answer(request, pk: int):
    orientation = _orientation(request, pk, "people.edit")
    structure = request.membership.structure
    internal = orientation.from_structure_id == structure.pk and orientation.target_kind == "programme"
    if orientation.target_structure_id != structure.pk and not internal:
        raise Http404
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("orientation_detail", pk=pk)
    try:
        actions.answer_orientation(
            orientation=orientation,
            accepted=form.cleaned_data["decision"] == "oui",
            actor=request.user,
            structure=orientation.target_structure if internal else structure,
            refusal_reason=form.cleaned_data["refusal_reason"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, "Votre réponse est enregistrée.")
    return redirect("orientation_detail", pk=pk)


def _cancel_confirmation(request, orientation: Orientation):
    consequences = ["L'orientation restera dans l'historique de la personne, marquée « annulée »."]
    if orientation.status == OrientationStatus.PROPOSED and orientation.target_structure_id:
        consequences.insert(
            0,
            f"{orientation.target_name} ne pourra plus répondre : le lien reçu par e-mail ne marchera plus.",
        )
    elif orientation.status != OrientationStatus.PROPOSED:
        consequences.insert(0, f"Pensez à prévenir {orientation.target_name} : Jalon ne le fait pas.")
    return confirm.page(
        request,
        title=f"Annuler l'orientation vers {orientation.target_name} ?",
        consequences=consequences,
        button="Oui, annuler l'orientation",
        back_url=reverse("orientation_detail", args=[orientation.pk]),
        action_url=reverse("orientation_move", args=[orientation.pk]),
        fields={"status": OrientationStatus.CANCELLED.value},
    )


@require_GET
def orientation_cancel(request, pk: int):
    """The confirmation page; the cancellation itself is a confirmed POST to orientation_move."""
    orientation = _orientation(request, pk, "people.edit")
    sender = orientation.from_structure_id == request.membership.structure_id
    if not (sender and orientation.can_move_to(OrientationStatus.CANCELLED)):
        raise Http404
    return _cancel_confirmation(request, orientation)


@require_POST
def orientation_move(request, pk: int):
    orientation = _orientation(request, pk, "people.edit")
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une étape.")
        return redirect("orientation_detail", pk=pk)
    if form.cleaned_data["status"] == OrientationStatus.CANCELLED and not confirm.confirmed(request):
        return _cancel_confirmation(request, orientation)
    try:
        actions.move_orientation(
            orientation=orientation,
            structure=request.membership.structure,
            actor=request.user,
            status=form.cleaned_data["status"],
        )
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, "C'est noté.")
    return redirect("orientation_detail", pk=pk)


@login_not_required
def public_orientation_answer(request, token: str):
    """The receiving side answers with no account, from the link in its e-mail (8 days)."""
    try:
        orientation = links.resolve_orientation(token)
    except links.LinkError as exc:
        refusal = links.REFUSALS[exc.reason]
        status = 404 if exc.reason == "altere" else 410
        return render(request, "referrals/public_link_refused.html", {"refusal": refusal}, status=status)
    form = forms.PublicAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_orientation(
                orientation=orientation,
                accepted=form.cleaned_data["decision"] == "oui",
                refusal_reason=form.cleaned_data["refusal_reason"],
                note=form.cleaned_data["note"],
                answered_by_name=form.cleaned_data["answered_by_name"],
                via="link",
            )
        except ValidationError as exc:
            for message in _error_messages(exc):
                form.add_error(None, message)
        else:
            orientation.refresh_from_db()
            return render(request, "referrals/public_answer_done.html", {"orientation": orientation})
    if request.method == "GET":
        # Opening the link shows personal data: audited, without an actor.
        record(
            action=Action.READ,
            structure=orientation.target_structure,
            obj=orientation,
            person=orientation.person,
            detail="lien de réponse",
            via="link",
        )
    return render(request, "referrals/public_answer.html", {"orientation": orientation, "form": form})

"""A person's intakes and action plan, and the user's own plan actions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.referrals import actions, selectors
from jalon.referrals.models import (
    PlanAction,
    PlanAxis,
    PlanObjective,
    Priority,
)
from jalon.www.scoping import person_for_edit, person_for_read, require

from .. import forms
from ._common import _error_messages

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

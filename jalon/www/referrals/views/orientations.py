"""Orientations sent and received: propose, list, answer (also by signed link), steps, cancel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.directory.models import Service
from jalon.referrals import actions, links, selectors
from jalon.referrals.models import (
    Orientation,
    OrientationStatus,
)
from jalon.www import confirm
from jalon.www.errors import add_to_form
from jalon.www.scoping import person_for_edit, require

from .. import forms
from ._common import _error_messages

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

"""Inbox and triage of referrals: list, create, detail, status, assignment, welcome into a file."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.pagination import capped_count
from jalon.referrals import actions, selectors
from jalon.referrals.models import (
    OPEN_STATUSES,
    Referral,
    ReferralSource,
    ReferralStatus,
)
from jalon.referrals.selectors import keyset_after as _after
from jalon.referrals.selectors import keyset_cursor as _cursor
from jalon.www.scoping import require

from .. import forms
from ._common import _error_messages

PAGE_SIZE = 25


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

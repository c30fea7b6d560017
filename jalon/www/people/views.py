import copy

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action, AuditEvent
from jalon.pagination import capped_count, capped_counts
from jalon.people import actions
from jalon.people.models import (
    Consent,
    ConsentPurpose,
    Person,
)
from jalon.people.selectors import filter_situation, people_page, search_people
from jalon.referrals.models import Orientation, PlanAction
from jalon.structures import communes
from jalon.www import confirm
from jalon.www.account.reauth import require_recent_login
from jalon.www.scoping import person_for_edit, person_for_read, require

from .forms import ConsentForm, PeopleFilterForm, PersonCreateForm, PersonForm, SensitiveNoteForm


def people_list(request):
    membership = require(request, "people.view")
    form = PeopleFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("scope") == "shared":
        base = Person.objects.shared_with(membership.structure)
    else:
        base = Person.objects.owned_by(membership.structure)
    queryset = filter_situation(base, data, request.user).select_related("commune", "referent")
    search = data.get("q", "")
    page = people_page(
        queryset, search, after=request.GET.get("apres", ""), before=request.GET.get("avant", "")
    )
    # The count may use the OR: both databases read it from the two name indexes, capped.
    total, more = capped_count(search_people(queryset, search))
    query = request.GET.copy()
    query.pop("apres", None)
    query.pop("avant", None)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "more": more,
        "query": query.urlencode(),
        "can_edit": membership.can("people.edit"),
    }
    template = (
        "people/_results.html" if request.htmx and request.htmx.target == "resultats" else "people/list.html"
    )
    return render(request, template, context)


def person_detail(request, pk: int):
    person = person_for_read(request, pk)
    membership = request.membership
    actions.record_read(person=person, structure=membership.structure, actor=request.user)
    own = person.structure_id == membership.structure_id
    consents = person.consents.select_related("target_structure", "recorded_by").order_by("-given_at")
    open_actions, has_sensitive = 0, False
    if own:
        # Both in one query: open plan actions (exact), and whether a sensitive note exists (a
        # count capped at 0 is "more" as soon as there is one).
        (open_actions, _), (_, has_sensitive) = capped_counts(
            [
                (PlanAction.objects.filter(person=person, done_at__isnull=True), None),
                (person.sensitive_notes.all(), 0),
            ]
        )
    context = {
        "person": person,
        "own": own,
        "can_edit": own and membership.can("people.edit"),
        "consents": consents,
        "events": person.events.select_related("actor", "structure")[:50],
        "can_read_sensitive": actions.can_read_sensitive(person=person, membership=membership),
        "has_sensitive": has_sensitive,
        "consent_form": ConsentForm(structure=membership.structure) if own else None,
        # Orientations this structure sent or received for the person (never a third structure's).
        "orientations": Orientation.objects.for_structure(membership.structure)
        .filter(person=person)
        .select_related("target_structure")[:10],
        "open_actions": open_actions,
        # Erasure (jalon/www/people/erasure.py): the referent structure's admin or coordination.
        "can_erase": own and membership.can("people.erase") and person.anonymised_at is None,
    }
    return render(request, "people/detail.html", context)


def person_create(request):
    membership = require(request, "people.edit")
    structure = membership.structure
    form = PersonCreateForm(request.POST or None, structure=structure)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in actions.EDITABLE_FIELDS}
        try:
            person = actions.create_person_unless_duplicate(
                structure=structure,
                actor=request.user,
                data=data,
                consent_method=form.cleaned_data["consent_method"],
                force=bool(form.cleaned_data.get("confirm_new")),
            )
        except actions.DuplicateFound as found:
            duplicates = found.people
        else:
            messages.success(request, "Le dossier est créé.")
            return redirect("person_detail", pk=person.pk)
        form.data = form.data.copy()
        form.data["confirm_new"] = "True"
    return render(request, "people/form.html", {"form": form, "duplicates": duplicates, "creating": True})


def person_edit(request, pk: int):
    person = person_for_edit(request, pk)
    structure = request.membership.structure
    form = PersonForm(request.POST or None, instance=copy.copy(person), structure=structure)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in actions.EDITABLE_FIELDS}
        changed = actions.update_person(person=person, structure=structure, actor=request.user, data=data)
        messages.success(request, "Modifications enregistrées." if changed else "Aucune modification.")
        return redirect("person_detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person, "creating": False})


@require_POST
def consent_add(request, pk: int):
    person = person_for_edit(request, pk)
    membership = require(request, "consent.edit")
    form = ConsentForm(request.POST, structure=membership.structure)
    if form.is_valid():
        actions.give_consent(
            person=person,
            structure=membership.structure,
            actor=request.user,
            purpose=form.cleaned_data["purpose"],
            method=form.cleaned_data["method"],
            target_structure=form.cleaned_data.get("target_structure"),
        )
        messages.success(request, "Consentement enregistré.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("person_detail", args=[person.pk]) + "#consentements")


# What stops when the person withdraws a consent, said plainly on the confirmation page.
WITHDRAWAL_EFFECTS = {
    ConsentPurpose.ACCOMPANIMENT: "La structure ne pourra plus accompagner la personne sur cette base.",
    ConsentPurpose.SHARING: "La structure partenaire ne verra plus ce dossier.",
    ConsentPurpose.CONTACT_SMS: "La personne ne recevra plus de SMS (rappels de rendez-vous et de séances).",
    ConsentPurpose.CONTACT_EMAIL: "La personne ne recevra plus d'e-mails.",
    ConsentPurpose.STATISTICS: "La personne ne comptera plus dans les statistiques anonymes.",
    ConsentPurpose.TESTIMONY: "Ses photos et vidéos ne doivent plus être utilisées.",
}


@confirm.get_or_post
def consent_withdraw(request, pk: int, consent_pk: int):
    person = person_for_edit(request, pk)
    membership = require(request, "consent.edit")
    consent = Consent.objects.filter(person=person, pk=consent_pk).select_related("target_structure").first()
    if consent is None:
        raise Http404
    if not confirm.confirmed(request):
        # The page names the person: the read is traced like any other.
        record(action=Action.READ, actor=request.user, structure=membership.structure, obj=person)
        what = consent.get_purpose_display()
        if consent.target_structure:
            what = f"{what} : {consent.target_structure.name}"
        return confirm.page(
            request,
            title=f"Retirer le consentement de {person.full_name} ?",
            consequences=[
                f"Consentement retiré : « {what} ».",
                WITHDRAWAL_EFFECTS.get(consent.purpose, ""),
                "Ce retrait ne pourra pas être annulé : il faudra recueillir un nouveau consentement.",
            ],
            button="Oui, retirer le consentement",
            back_url=reverse("person_detail", args=[person.pk]) + "#consentements",
        )
    actions.withdraw_consent(consent=consent, structure=membership.structure, actor=request.user)
    messages.success(request, "Le retrait du consentement est enregistré.")
    return redirect(reverse("person_detail", args=[person.pk]) + "#consentements")


def sensitive_notes(request, pk: int):
    person = person_for_read(request, pk)
    membership = request.membership
    if not actions.can_read_sensitive(person=person, membership=membership):
        raise Http404
    require_recent_login(request)
    form = SensitiveNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.add_sensitive_note(
            person=person,
            membership=membership,
            category=form.cleaned_data["category"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, "Note enregistrée.")
        return redirect("person_sensitive", pk=person.pk)
    notes = actions.read_sensitive_notes(person=person, membership=membership)
    # Each note shows its author: one query for all of them, not one per note.
    prefetch_related_objects(notes, "created_by")
    return render(request, "people/sensitive.html", {"person": person, "notes": notes, "form": form})


def person_access_log(request, pk: int):
    """Who opened or changed this file: part of the person's right of access (RGPD art. 15)."""
    person = person_for_read(request, pk)
    if person.structure_id != request.membership.structure_id:
        raise Http404
    events = (
        AuditEvent.objects.filter(person=person)
        .select_related("actor", "structure")
        .order_by("-at", "-id")[:500]
    )
    return render(request, "people/access_log.html", {"person": person, "events": events})


def commune_suggestions(request):
    results = communes.suggest(request.GET.get("commune", "") or request.GET.get("q", ""))
    return TemplateResponse(
        request, "components/commune_options.html", {"communes": [(communes.label(c), c) for c in results]}
    )

import copy
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action, AuditEvent
from jalon.people import actions
from jalon.people.models import (
    AgeBand,
    Consent,
    ConsentPurpose,
    Person,
)
from jalon.people.phones import to_e164
from jalon.referrals.models import Orientation, PlanAction
from jalon.structures import communes
from jalon.text import normalize
from jalon.www import confirm
from jalon.www.pagination import capped_count, keyset_page, merged_keyset_page
from jalon.www.scoping import person_for_edit, person_for_read, require

from .forms import ConsentForm, PeopleFilterForm, PersonCreateForm, PersonForm, SensitiveNoteForm


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _name_prefix(query: str) -> str | None:
    """The normalised prefix when `query` searches a name (not an e-mail, not a phone number)."""
    query = (query or "").strip()
    if not query or "@" in query:
        return None
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) >= 6 and len(digits) >= len(query.replace(" ", "")) - 1:
        return None
    return normalize(query)


def _name_ranges(key: str) -> tuple[Q, Q]:
    """Last name first, or first name first, starting with `key` (both are indexed)."""
    return (
        Q(search_name__gte=key, search_name__lt=key + "\uffff"),
        Q(search_name_alt__gte=key, search_name_alt__lt=key + "\uffff"),
    )


def search_people(queryset, query: str):
    query = (query or "").strip()
    if not query:
        return queryset
    key = _name_prefix(query)
    if key is not None:
        last, first = _name_ranges(key)
        return queryset.filter(last | first)
    if "@" in query:
        return queryset.filter(email=query.lower())
    try:
        return queryset.filter(phone=to_e164(query))
    except ValidationError:
        return queryset.none()


def people_page(queryset, query: str, *, after: str = "", before: str = "", size: int = 25):
    """One page of `queryset` searched by `query`, at the same cost on 1,000 or 1 million people.

    A name search is paged as two arms (last-name matches by last name, first-name matches by
    first name, merged), each a bounded range scan on its own index; see merged_keyset_page.
    """
    query = (query or "").strip()
    key = _name_prefix(query)
    if not query or "@" in query:
        return keyset_page(search_people(queryset, query), after=after, before=before, size=size)
    if key is None:
        # A phone number matches a row or two: ordered by phone (then id), the (structure, phone)
        # index answers alone. Ordered by name, SQLite without statistics walks the whole
        # structure's name index instead (2.4 s at 1 million people).
        return keyset_page(search_people(queryset, query), after=after, before=before, size=size, key="phone")
    last, first = _name_ranges(key)
    arms = [(queryset.filter(last), "search_name"), (queryset.filter(first).exclude(last), "search_name_alt")]
    return merged_keyset_page(arms, after=after, before=before, size=size)


def filter_situation(queryset, data: dict, user):
    if data.get("status"):
        queryset = queryset.filter(employment_status=data["status"])
    today = timezone.localdate()
    if data.get("age") == AgeBand.UNDER_25:
        queryset = queryset.filter(birth_date__gt=_years_ago(today, 25))
    elif data.get("age") == AgeBand.FROM_25_TO_54:
        queryset = queryset.filter(
            birth_date__lte=_years_ago(today, 25), birth_date__gt=_years_ago(today, 55)
        )
    elif data.get("age") == AgeBand.OVER_54:
        queryset = queryset.filter(birth_date__lte=_years_ago(today, 55))
    if data.get("mine"):
        queryset = queryset.filter(referent=user)
    return queryset


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
    context = {
        "person": person,
        "own": own,
        "can_edit": own and membership.can("people.edit"),
        "consents": consents,
        "events": person.events.select_related("actor", "structure")[:50],
        "can_read_sensitive": actions.can_read_sensitive(person=person, membership=membership),
        "has_sensitive": person.sensitive_notes.exists() if own else False,
        "consent_form": ConsentForm(structure=membership.structure) if own else None,
        # Orientations this structure sent or received for the person (never a third structure's).
        "orientations": Orientation.objects.for_structure(membership.structure)
        .filter(person=person)
        .select_related("target_structure")[:10],
        "open_actions": PlanAction.objects.filter(person=person, done_at__isnull=True).count() if own else 0,
    }
    return render(request, "people/detail.html", context)


def person_create(request):
    membership = require(request, "people.edit")
    structure = membership.structure
    form = PersonCreateForm(request.POST or None, structure=structure)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in actions.EDITABLE_FIELDS}
        if not form.cleaned_data.get("confirm_new"):
            duplicates = list(
                actions.find_duplicates(
                    structure=structure,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    birth_date=data.get("birth_date"),
                    phone=data.get("phone", ""),
                )[:5]
            )
        if not duplicates:
            person = actions.create_person(
                structure=structure,
                actor=request.user,
                data=data,
                consent_method=form.cleaned_data["consent_method"],
            )
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

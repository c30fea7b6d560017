"""The pathway on the person file: enrolments, exits, peer and digital diagnostic."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.programmes import actions, rules, selectors
from jalon.programmes.models import Peer
from jalon.text import agree
from jalon.www.scoping import person_for_edit, person_for_read

from ..forms import ExitForm
from .scoping import _fail


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

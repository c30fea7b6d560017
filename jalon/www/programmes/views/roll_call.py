"""The roll call of a slot, by staff or by the peer facilitator from their link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jalon.links import LinkError
from jalon.people.models import Person
from jalon.programmes import actions, links, selectors
from jalon.programmes.models import AttendanceStatus, Session, Slot
from jalon.www.errors import refused
from jalon.www.scoping import require

from .scoping import _fail, _found, _record_reads


def _roll_call(request, slot: Slot, *, structure, actor=None, peer=None):
    session = slot.session
    enrolments = selectors.roll_call_enrolments(
        slot, structure, on_behalf_of=peer.structure if peer is not None else None
    )
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
            "hidden": enrolments.hidden,
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

"""The roll call of a slot, by staff or by the session's peer facilitator."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action

from ..models import Attendance, AttendanceStatus, Slot, expected_on
from .common import _check_owner, mark_dirty


@transaction.atomic
def take_attendance(
    *, slot: Slot, marks: dict, structure=None, actor=None, peer=None, via: str | None = None
) -> int:
    """Records the roll call of a slot: enrolment id → status. Returns how many rows changed.

    Taken by staff of an owning structure, or by the session's peer facilitator (`peer`, no
    account, from their link). Only people seated in the session can be marked, and only those
    the marker may name: a partner's people who do not share their file with the marker's
    structure (the peer's own structure for a peer) are marked by their own structure.
    """
    session = slot.session
    if peer is None:
        _check_owner(session, structure)
    elif not session.trainers.filter(person=peer).exists():
        raise PermissionDenied
    bad = [status for status in marks.values() if status not in AttendanceStatus.values]
    if bad:
        raise ValidationError("Choisissez présent·e, en retard, excusé·e ou absent·e pour chaque personne.")
    day = timezone.localtime(slot.starts_at).date()
    viewer = structure if peer is None else peer.structure
    seated = {
        e.pk: e
        for e in session.enrolments.filter(expected_on(day), pk__in=list(marks))
        .named_for(viewer)
        .select_related("person")
    }
    unknown = set(marks) - set(seated)
    if unknown:
        raise ValidationError("Une des personnes n'est pas inscrite à cette session ce jour-là.")
    existing = {a.enrolment_id: a for a in slot.attendances.filter(enrolment_id__in=list(marks))}
    now = timezone.now()
    user = actor if actor is not None and actor.is_authenticated else None
    changed, created = [], []
    for enrolment_id, status in marks.items():
        row = existing.get(enrolment_id)
        if row is None:
            created.append(
                Attendance(
                    slot=slot,
                    enrolment_id=enrolment_id,
                    person_id=seated[enrolment_id].person_id,
                    stage_id=session.stage_id,
                    status=status,
                    day=day,
                    recorded_at=now,
                    recorded_by=user,
                    recorded_by_peer=peer,
                )
            )
        elif row.status != status:
            row.status, row.recorded_at, row.recorded_by, row.recorded_by_peer = status, now, user, peer
            changed.append(row)
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(changed, ["status", "recorded_at", "recorded_by", "recorded_by_peer"])
    if created or changed:
        mark_dirty(programme_id=session.stage.programme_id, stage_id=session.stage_id, days=[day])
        record(
            action=Action.UPDATE,
            actor=actor,
            structure=structure or seated[next(iter(seated))].person.structure,
            obj=slot,
            fields=["presences"],
            detail=f"appel : {len(created) + len(changed)} présence(s)"
            + (" par un·e pair·e" if peer else ""),
            via=via,
        )
    return len(created) + len(changed)

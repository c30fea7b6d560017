from contextlib import contextmanager
from contextvars import ContextVar

from .models import Action, AuditEvent, Via

# The channel of events whose caller does not name one: a page unless a command or job says
# otherwise (the demo loader writes as a job, so the journal says "Système", not "no account").
_CHANNEL: ContextVar[str] = ContextVar("audit_channel", default=Via.WEB)


@contextmanager
def channel(via: str):
    """Within the block, events that name no channel are written as coming through `via`."""
    token = _CHANNEL.set(Via(via))
    try:
        yield
    finally:
        _CHANNEL.reset(token)


def record(
    *,
    action: str,
    actor=None,
    structure=None,
    obj=None,
    person=None,
    fields: list[str] | None = None,
    detail: str = "",
    via: str | None = None,
) -> AuditEvent:
    """Write one audit event. `detail` must never hold personal data."""
    via = Via(via or _CHANNEL.get())  # a typo ("lien") fails here, not in a GDPR count months later
    object_type = obj._meta.model_name if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    if person is None and object_type == "person":
        person = obj
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        structure=structure,
        object_type=object_type,
        object_id=object_id,
        person=person,
        fields=sorted(fields or []),
        detail=detail[:255],
        via=via,
    )


__all__ = ["Action", "Via", "channel", "record"]


def record_person_reads(*, actor, structure, person_ids, detail: str, via: str | None = None) -> None:
    """One read event per person file shown in a list, written in one statement."""
    via = Via(via or _CHANNEL.get())
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=Action.READ,
            actor=actor if actor is not None and actor.is_authenticated else None,
            structure=structure,
            object_type="person",
            object_id=str(person_id),
            person_id=person_id,
            detail=detail,
            via=via,
        )
        for person_id in dict.fromkeys(person_ids)
        if person_id
    )

from .models import Action, AuditEvent, Via


def record(
    *,
    action: str,
    actor=None,
    structure=None,
    obj=None,
    person=None,
    fields: list[str] | None = None,
    detail: str = "",
    via: str = "web",
) -> AuditEvent:
    """Write one audit event. `detail` must never hold personal data."""
    via = Via(via)  # a typo ("lien") fails here, not in a GDPR count months later
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


__all__ = ["Action", "Via", "record"]


def record_person_reads(*, actor, structure, person_ids, detail: str, via: str = "web") -> None:
    """One read event per person file shown in a list, written in one statement."""
    via = Via(via)
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

from .models import Action, AuditEvent


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


__all__ = ["Action", "record"]

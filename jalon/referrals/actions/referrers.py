"""Writes about referrers: the relay itself, its public link, the prospection log, its counts."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action

from ..models import (
    ACCOMPANIED,
    ProspectionEntry,
    Referral,
    Referrer,
    new_key,
)

REFERRER_FIELDS = [
    "name",
    "kind",
    "partner_structure",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
    "commune",
    "facilitator",
    "notes",
    "is_active",
]


# --- Referrers ---------------------------------------------------------------------------------


@transaction.atomic
def create_referrer(*, structure, actor, data: dict, via: str | None = None) -> Referrer:
    referrer = Referrer(structure=structure, **{k: v for k, v in data.items() if k in REFERRER_FIELDS})
    if referrer.facilitator_id is None and actor is not None:
        referrer.facilitator = actor
    referrer.full_clean(exclude=["link_key"])
    referrer.save()
    record(action=Action.CREATE, actor=actor, structure=structure, obj=referrer, fields=list(data), via=via)
    return referrer


@transaction.atomic
def update_referrer(*, referrer: Referrer, structure, actor, data: dict, via: str | None = None) -> list[str]:
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    changed = [f for f in REFERRER_FIELDS if f in data and getattr(referrer, f) != data[f]]
    for field in changed:
        setattr(referrer, field, data[field])
    if changed:
        referrer.full_clean(exclude=["link_key"])
        referrer.save()
        record(action=Action.UPDATE, actor=actor, structure=structure, obj=referrer, fields=changed, via=via)
    return changed


@transaction.atomic
def regenerate_link(*, referrer: Referrer, structure, actor) -> Referrer:
    """A new key: every printed poster and shared link of this referrer stops working."""
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    referrer.link_key = new_key()
    referrer.link_revoked_at = None
    referrer.save(update_fields=["link_key", "link_revoked_at"])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=referrer, fields=["link_key"])
    return referrer


@transaction.atomic
def revoke_link(*, referrer: Referrer, structure, actor) -> Referrer:
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    referrer.link_revoked_at = timezone.now()
    referrer.save(update_fields=["link_revoked_at"])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=referrer, fields=["link_revoked_at"])
    return referrer


@transaction.atomic
def log_prospection(*, referrer: Referrer, structure, actor, data: dict) -> ProspectionEntry:
    if referrer.structure_id != structure.pk:
        raise PermissionDenied
    entry = ProspectionEntry.objects.create(
        referrer=referrer,
        author=actor,
        kind=data["kind"],
        happened_on=data.get("happened_on") or timezone.localdate(),
        note=data.get("note", ""),
        follow_up_on=data.get("follow_up_on"),
    )
    # A new contact closes the follow-ups that were due on this referrer.
    ProspectionEntry.objects.filter(
        referrer=referrer, follow_up_on__isnull=False, follow_up_done_at__isnull=True
    ).exclude(pk=entry.pk).update(follow_up_done_at=timezone.now())
    record(action=Action.CREATE, actor=actor, structure=structure, obj=entry, fields=sorted(data))
    return entry


def refresh_referrer_counts(referrer_id: int) -> None:
    """Recount from the referrals (one indexed aggregate): counters never drift."""
    counts = Referral.objects.filter(referrer_id=referrer_id).aggregate(
        referred=Count("pk"),
        reached=Count("pk", filter=Q(first_contact_at__isnull=False)),
        accompanied=Count("pk", filter=Q(status__in=ACCOMPANIED)),
        last=Max("created_at"),
    )
    Referrer.objects.filter(pk=referrer_id).update(
        referred_count=counts["referred"],
        reached_count=counts["reached"],
        accompanied_count=counts["accompanied"],
        last_referral_at=counts["last"],
    )

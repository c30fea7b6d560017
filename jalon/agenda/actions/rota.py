"""Writes of places and the rota: a place, a weekly permanence held by the owner or a partner, its end."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from jalon.audit.actions import record
from jalon.audit.models import Action

from ..models import Permanence, Place

# --- Places and rota ---------------------------------------------------------------------------


@transaction.atomic
def create_place(
    *, structure, actor, name: str, address: str = "", commune=None, access_notes: str = ""
) -> Place:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Donnez un nom au lieu."})
    if Place.objects.owned_by(structure).filter(name__iexact=name).exists():
        raise ValidationError({"name": "Un lieu porte déjà ce nom."})
    place = Place.objects.create(
        structure=structure,
        name=name,
        address=address.strip(),
        commune=commune,
        access_notes=access_notes.strip(),
    )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=place)
    return place


def partner_ids(structure) -> set[int]:
    return set(structure.partner_structures().values_list("pk", flat=True))


@transaction.atomic
def add_permanence(*, place: Place, structure, actor, data: dict) -> Permanence:
    """The place's owner adds a weekly permanence held by itself or one of its partners."""
    if place.structure_id != structure.pk:
        raise PermissionDenied
    host = data["host"]
    if host.pk != structure.pk and host.pk not in partner_ids(structure):
        raise ValidationError({"host": "Cette structure n'est pas partenaire de la vôtre."})
    if data["end_time"] <= data["start_time"]:
        raise ValidationError({"end_time": "La fin doit être après le début."})
    if data.get("valid_until") and data["valid_until"] < data["valid_from"]:
        raise ValidationError({"valid_until": "La date de fin doit suivre la date de début."})
    overlapping = Permanence.objects.filter(
        place=place,
        weekday=data["weekday"],
        start_time__lt=data["end_time"],
        end_time__gt=data["start_time"],
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=data["valid_from"]))
    if data.get("valid_until"):
        overlapping = overlapping.filter(valid_from__lte=data["valid_until"])
    if overlapping.exists():
        raise ValidationError("Une autre permanence occupe déjà ce lieu ce jour-là à ces heures.")
    permanence = Permanence.objects.create(place=place, **data)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=permanence)
    return permanence


@transaction.atomic
def end_permanence(*, permanence: Permanence, structure, actor, last_day: date) -> Permanence:
    if permanence.place.structure_id != structure.pk:
        raise PermissionDenied
    if last_day < permanence.valid_from:
        raise ValidationError("La permanence ne peut pas finir avant d'avoir commencé.")
    permanence.valid_until = last_day
    permanence.save(update_fields=["valid_until"])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=permanence, fields=["valid_until"])
    return permanence

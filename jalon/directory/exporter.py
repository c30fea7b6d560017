"""Export a structure's own offer as data·inclusion v1 JSON, each item checked by the official models."""

from data_inclusion.schema import v1

from .importer import LIST_FIELDS, SKIP
from .models import DirectoryStructure, Service


def _item(obj, model_fields) -> dict:
    data = {}
    for field in type(obj)._meta.concrete_fields:
        if field.name in SKIP or field.name not in model_fields:
            continue
        value = getattr(obj, field.name)
        if value in ("", None) or (field.name in LIST_FIELDS and not value):
            continue
        data[field.name] = value
    data["id"] = obj.source_id
    if obj.commune_id:
        data["code_insee"] = obj.commune_id
    return data


def export_offer(owner) -> dict:
    """{"structures": [...], "services": [...]} valid for data·inclusion, item by item."""
    structures = list(DirectoryStructure.objects.owned_by(owner).order_by("source", "source_id"))
    services = list(
        Service.objects.filter(structure__in=structures)
        .select_related("structure")
        .order_by("source", "source_id")
    )
    out_structures = [
        v1.Structure.model_validate(_item(s, v1.Structure.model_fields)).model_dump(
            mode="json", exclude_none=True
        )
        for s in structures
    ]
    out_services = []
    for service in services:
        item = _item(service, v1.Service.model_fields)
        item["structure_id"] = service.structure.source_id
        out_services.append(v1.Service.model_validate(item).model_dump(mode="json", exclude_none=True))
    return {"structures": out_structures, "services": out_services}

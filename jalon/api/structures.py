from ninja import Router

from jalon.structures.models import Membership

from .schemas import StructureOut

router = Router(tags=["structures"])


@router.get("", response=list[StructureOut], summary="Mes structures")
def my_structures(request):
    current = getattr(request, "structure", None)
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("structure")
        .order_by("structure__name")
    )
    return [
        {
            "id": m.structure.pk,
            "name": m.structure.name,
            "kind": m.structure.kind,
            "siret": m.structure.siret,
            "commune": m.structure.commune_id,
            "role": m.role,
            "current": current is not None and current.pk == m.structure_id,
        }
        for m in memberships
    ]

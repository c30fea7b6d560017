"""GET /api/v1/people/{id}/export: a person's data export as JSON (right of access, portability).

Kept apart from jalon/api/people.py (the file's reads and writes); it adds its route to the same
router, so the URL sits with the other person routes. A read-only token may call it.
"""

from django.http import Http404, JsonResponse

from jalon import portability
from jalon.people.models import Person

from .auth import require_membership as _membership
from .people import router


@router.get(
    "/{int:person_id}/export",
    response={200: dict},
    summary="Exporter les données d'une personne (droit d'accès)",
    description=(
        "Tout ce que votre structure garde sur la personne : dossier, consentements, historique, "
        "points de situation, plan d'action, rendez-vous, inscriptions et présences, sorties, "
        "demandes et orientations, et qui a consulté le dossier. Seule la structure référente "
        "exporte ; l'export est inscrit au journal du dossier."
    ),
)
def export_person(request, person_id: int):
    membership = _membership(request, "people.edit")
    person = (
        Person.objects.owned_by(membership.structure)
        .select_related("structure", "referent", "commune")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise Http404
    data = portability.export_person(person=person, membership=membership, file_format="json", via="api")
    response = JsonResponse(portability.json_ready(data), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store, private"
    return response

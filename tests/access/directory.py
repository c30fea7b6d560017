"""Access-matrix entries for the directory's offer imports (merged by tests/test_access_matrix.py)."""

import uuid

from jalon.directory.models import ImportRun

from .core import OBJECT_SITUATIONS, Rule, Target


def import_run_target(personas, situation, actor):
    """own: an import of A's offer; other: one of B's; missing: a token nobody holds."""
    if situation == "missing":
        return Target({"object": uuid.uuid4()})
    structure = personas.structure_a if situation == "own" else personas.structure_b
    run = ImportRun.objects.create(
        token=uuid.uuid4(),
        structure=structure,
        filename="offre.json",
        status=ImportRun.Status.DONE,
        accepted=True,
        summary="1 service importé.",
    )
    return Target({"object": run.token})


FAMILIES = {"import_run": (import_run_target, OBJECT_SITUATIONS)}
PARAMS = {"token": "object"}
REGISTRY = {
    # An import's progress and report: members of the structure whose offer it is, no one else.
    "directory_import_status": Rule("import_run", ["get"], ("people.view",)),
}
NOT_TENANT = {}
FINGERPRINTS = []

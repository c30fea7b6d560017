"""Access-matrix entries for erasure (merged by tests/test_access_matrix.py)."""

from .core import Rule

FAMILIES = {}

REGISTRY = {
    # Only the referent structure's admin or coordination erases; a shared file is not found.
    "person_erase": Rule("person", ["get", "post"], ("people.erase",), writes=True, body={"confirme": "oui"}),
    "api:erase_person": Rule("person", ["post"], ("people.view", "people.erase"), writes=True),
}
PARAMS = {}
NOT_TENANT = {}
FINGERPRINTS = []

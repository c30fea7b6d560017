"""Access-matrix entries for a person's data export (merged by tests/test_access_matrix.py).

The person family and its situations (own, other, shared, withdrawn, missing) are the core
matrix's: only the owning structure exports, a file shared with consent is not exported by the
partner (404 like a missing id).
"""

from .core import Rule

FAMILIES = {}
# An export writes its audit event (not a read event): `writes` lets the allowed case do so.
REGISTRY = {
    "person_export": Rule("person", ["get"], ("people.edit",), writes=True),
    "api:export_person": Rule("person", ["get"], ("people.edit",), writes=True),
}
PARAMS = {}
NOT_TENANT = {}
FINGERPRINTS = []

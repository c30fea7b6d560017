"""Access-matrix entries for the referrers screens (merged by tests/test_access_matrix.py)."""

FAMILIES: dict = {}
REGISTRY: dict = {}
PARAMS: dict = {}
NOT_TENANT: dict = {}
# Callables returning a value that changes when a route of this area writes.
FINGERPRINTS: list = []

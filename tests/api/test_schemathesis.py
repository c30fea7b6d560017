"""Schemathesis against the whole API, in process through Django's WSGI app, on the database of
the run (SQLite or PostgreSQL): no generated request may get a server error.

Bounded for CI (≤ 60 s per database on 2 cores): the deterministic coverage phase and a few
seeded examples per operation, so a failure replays. Explore more locally with
JALON_SCHEMATHESIS_EXAMPLES=60 JALON_SCHEMATHESIS_EXPLORE=1 (docs/deploiement.md).
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from jalon.users.models import ApiToken, TokenScope

MAX_EXAMPLES = int(os.environ.get("JALON_SCHEMATHESIS_EXAMPLES", "5"))
# Local exploration (JALON_SCHEMATHESIS_EXPLORE=1): count every request and server error instead of
# stopping each operation at its first failure.
EXPLORE = bool(os.environ.get("JALON_SCHEMATHESIS_EXPLORE"))
TALLY = Counter()
# The coverage phase sends the boundary values of every field (too long, out of range, missing,
# wrong type): the class of inputs that gave PostgreSQL its 500s. It is deterministic, so it
# runs in CI whole; the random fuzzing phase adds MAX_EXAMPLES per operation, seeded.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 13,
        "phases": {
            "coverage": {
                "enabled": os.environ.get("JALON_SCHEMATHESIS_COVERAGE", "1") == "1",
                # Other HTTP methods on each path only test the router's 405: a third of the
                # requests for nothing of ours.
                "unexpected-methods": [],
            }
        },
    }
)


@pytest.fixture
def api_token(personas, person_a):
    # An admin of structure A with a read-and-write token: every operation is allowed, so the
    # generated data reaches the validation and the database instead of stopping at 403.
    _, raw = ApiToken.issue(user=personas.admin_a.user, name="schemathesis", scope=TokenScope.READ_WRITE)
    return raw


@pytest.fixture
def api_schema(api_token):
    # The WSGI handler closes the database connection at the end of each request, which would
    # close the test's transaction; Django's test client unhooks the same signal handler.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/openapi.json",
            WSGIHandler(),
            config=CONFIG,
            headers={"Authorization": f"Bearer {api_token}"},
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # schemathesis 4.32 reads and renames `node._nodeid`, which pytest ≥ 9.2 no longer keeps
    # (the id moved to `node._id`); give it the attribute it expects until it follows.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_a_server_error(case, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}
    if EXPLORE:
        response = case.call(headers=headers)
        TALLY["requests"] += 1
        if response.status_code >= 500:
            TALLY["server errors"] += 1
            TALLY[f"{case.operation.label} {response.status_code}"] += 1
        return
    case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])


def teardown_module():
    if EXPLORE:
        print("\nschemathesis:", dict(TALLY))

"""Shared pieces of the access matrix, so each feature area can add its routes in its own module."""

from collections.abc import Callable
from dataclasses import dataclass, field

from jalon.people.models import Person

MISSING = 987654321
OBJECT_SITUATIONS = {"own": None, "other": "missing", "missing": None}


@dataclass
class Target:
    ids: dict  # "object" and, for routes with two ids, "consent"
    person: Person | None = None


@dataclass
class Rule:
    family: str
    methods: list  # web: the methods the view serves; API: checked against the OpenAPI schema
    permissions: tuple = ()
    writes: bool = False  # the allowed request with `body` must change the database
    reads_shared: bool = False  # a file shared with consent may be read through this route
    user_scoped: bool = False  # the user's own object, not a structure's
    extra: Callable | None = None
    body: dict = field(default_factory=dict)
    # Situations besides "own" where the request is allowed (e.g. an orientation received).
    also: tuple = ()

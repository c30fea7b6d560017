"""Personas shared by every test: two structures, each role, and an outsider."""

import time
from dataclasses import dataclass

import pytest
from django.test import Client

from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.structures.models import Membership, Partnership, Role, Structure

from .factories import MembershipFactory, PersonFactory, StructureFactory, UserFactory

PASSWORD = "motdepasse-test-1"


@dataclass
class Personas:
    structure_a: Structure
    structure_b: Structure
    admin_a: Membership
    case_worker_a: Membership
    coordinator_a: Membership
    trainer_a: Membership
    read_only_a: Membership
    case_worker_b: Membership
    admin_b: Membership
    outsider: object  # a user with no membership at all

    def client_for(self, membership_or_user) -> Client:
        user = getattr(membership_or_user, "user", membership_or_user)
        client = Client()
        client.force_login(user)
        mark_recent_login(client, user)
        return client


def mark_recent_login(client: Client, user, *, at: float | None = None) -> None:
    """What allauth's login page records (force_login skips it): a password login, now.

    Operations that ask for a recent login (sensitive notes, tokens, exports) count on it.
    """
    from allauth.account.internal.flows import login as allauth_login

    session = client.session
    session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time() if at is None else at}
    ]
    session[allauth_login._AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def personas(db) -> Personas:
    a = StructureFactory(name="Association A")
    b = StructureFactory(name="PLIE B")
    Partnership.objects.create(source=a, target=b)
    return Personas(
        structure_a=a,
        structure_b=b,
        admin_a=MembershipFactory(structure=a, role=Role.ADMIN, user__email="admin.a@example.org"),
        case_worker_a=MembershipFactory(structure=a, role=Role.CASE_WORKER, user__email="cip.a@example.org"),
        coordinator_a=MembershipFactory(
            structure=a, role=Role.COORDINATOR, user__email="coord.a@example.org"
        ),
        trainer_a=MembershipFactory(structure=a, role=Role.TRAINER, user__email="formateur.a@example.org"),
        read_only_a=MembershipFactory(structure=a, role=Role.READ_ONLY, user__email="lecture.a@example.org"),
        case_worker_b=MembershipFactory(structure=b, role=Role.CASE_WORKER, user__email="cip.b@example.org"),
        admin_b=MembershipFactory(structure=b, role=Role.ADMIN, user__email="admin.b@example.org"),
        outsider=UserFactory(email="dehors@example.org"),
    )


@pytest.fixture
def person_a(personas):
    """A person followed by structure A, with the accompaniment consent."""
    from jalon.people import actions

    person = PersonFactory(structure=personas.structure_a, referent=personas.case_worker_a.user)
    actions.give_consent(
        person=person,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        purpose=ConsentPurpose.ACCOMPANIMENT,
        method=ConsentMethod.ORAL,
    )
    return person


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(items):
    """Under pytest-xdist, the tests of a module that share a module-scoped fixture (the demo,
    loaded once per module in tests/demo/) run on one worker, so that it is built only once.
    Every other test goes to whichever worker is free, in pytest-django's order (live-server
    tests last: they empty the database, reference communes included)."""
    for item in items:
        fixtures = getattr(item, "_fixtureinfo", None)
        if fixtures and any(defs[-1].scope == "module" for defs in fixtures.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits count in the cache: each test starts with none spent, whichever tests the same
    worker ran before it (under xdist the order, and so the count, changes from run to run)."""
    from django.core.cache import cache

    cache.clear()
    yield


# Timing is noise on a shared machine and tests assert no timing: Hypothesis's per-example
# deadline (200 ms) is one, and failed under load. Examples still run in full.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("jalon", deadline=None)
hypothesis_settings.load_profile("jalon")

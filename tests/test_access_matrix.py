"""Cross-structure access matrix, generated from the URLconf (pages and API).

Every route that takes an object id × every role of structure A and an outsider × each
situation of the target object. A leak is: another structure's object (or one whose sharing
consent was withdrawn) answered differently from a missing id, or with a success; a write that
succeeds on a file only shared for reading. A route with an id that is not in REGISTRY fails the
test, so a new route cannot escape the matrix.
"""

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jalon.notifications.models import MessageChannel, OutboxMessage
from jalon.people import actions
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.users.models import ApiToken

from .factories import PersonFactory

MISSING = 987654
ROLES = ["admin_a", "case_worker_a", "coordinator_a", "trainer_a", "read_only_a", "outsider"]
# Routes with parameters that are not tenant objects, and why.
NOT_TENANT = {
    "invitation_accept": "public token link, tested in tests/people/test_rules.py",
    "account_confirm_email": "allauth signed key",
    "account_reset_password_from_key": "allauth signed key",
}
NOT_TENANT_PREFIXES = {"admin/": "Django admin: platform staff only (is_staff), see test_admin_is_staff_only"}


def tenant_routes():
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if "<" in route or "(?P" in route:
                    found.append((route, pattern.name))

    walk(get_resolver().url_patterns)
    return found


@dataclass
class Target:
    kwargs: dict
    read_allowed: bool = False  # reading is legitimate (shared with consent)


def person_targets(personas, situation):
    a, b = personas.structure_a, personas.structure_b
    if situation == "missing":
        return Target({"pk": MISSING, "consent_pk": MISSING})
    owner = a if situation == "own" else b
    actor = personas.case_worker_a.user if owner == a else personas.case_worker_b.user
    person = PersonFactory(structure=owner, referent=actor)
    consent = actions.give_consent(
        person=person,
        structure=owner,
        actor=actor,
        purpose=ConsentPurpose.CONTACT_SMS,
        method=ConsentMethod.ORAL,
    )
    if situation in {"shared", "withdrawn"}:
        sharing = actions.give_consent(
            person=person,
            structure=b,
            actor=actor,
            purpose=ConsentPurpose.SHARING,
            method=ConsentMethod.PAPER,
            target_structure=a,
        )
        if situation == "withdrawn":
            actions.withdraw_consent(consent=sharing, structure=b, actor=actor)
    return Target({"pk": person.pk, "consent_pk": consent.pk}, read_allowed=situation == "shared")


def membership_target(personas, situation):
    if situation == "missing":
        return Target({"pk": MISSING})
    return Target({"pk": (personas.case_worker_a if situation == "own" else personas.case_worker_b).pk})


def outbox_target(personas, situation):
    if situation == "missing":
        return Target({"pk": MISSING})
    structure = personas.structure_a if situation == "own" else personas.structure_b
    message = OutboxMessage.objects.create(
        structure=structure, channel=MessageChannel.SMS, to="+33612345678", body="x", status="failed"
    )
    return Target({"pk": message.pk})


def token_target(personas, situation, role_user=None):
    if situation == "missing":
        return Target({"pk": MISSING})
    owner = role_user if situation == "own" and role_user is not None else personas.case_worker_b.user
    token, _ = ApiToken.issue(user=owner, name="t")
    return Target({"pk": token.pk})


PERSON_SITUATIONS = ["own", "other", "shared", "withdrawn", "missing"]
OTHER_SITUATIONS = ["own", "other", "missing"]
# route name → (target builder, situations, methods)
REGISTRY = {
    "person_detail": (person_targets, PERSON_SITUATIONS, ["get"]),
    "person_edit": (person_targets, PERSON_SITUATIONS, ["get", "post"]),
    "consent_add": (person_targets, PERSON_SITUATIONS, ["post"]),
    "consent_withdraw": (person_targets, PERSON_SITUATIONS, ["post"]),
    "person_sensitive": (person_targets, PERSON_SITUATIONS, ["get", "post"]),
    "person_access_log": (person_targets, PERSON_SITUATIONS, ["get"]),
    "structure_member_edit": (membership_target, OTHER_SITUATIONS, ["get", "post"]),
    "structure_outbox_retry": (outbox_target, OTHER_SITUATIONS, ["post"]),
    "api_token_revoke": (token_target, OTHER_SITUATIONS, ["post"]),
    "get_person": (person_targets, PERSON_SITUATIONS, ["get"]),
    "patch_person": (person_targets, PERSON_SITUATIONS, ["patch"]),
}
WRITES = {"post", "patch"}
# Objects that belong to the user, not to a structure: a user without structure keeps them.
USER_SCOPED = {"api_token_revoke"}
# Reading these is what sharing allows; everything else on a shared file must be refused.
SHARED_READS = {"person_detail", "get_person"}


def url_for(route: str, kwargs: dict) -> str:
    def repl(match):
        name = match.group(1)
        key = "pk" if name in {"pk", "person_id"} else name
        return str(kwargs[key])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", repl, route)


def client_for(personas, role, api: bool):
    membership = getattr(personas, role)
    user = getattr(membership, "user", membership)
    if api:
        _, raw = ApiToken.issue(user=user, name="matrice")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), user
    client = Client()
    client.force_login(user)
    return client, user


def call(client, method, url):
    if method == "patch":
        return client.patch(url, data='{"first_name": "Fuite"}', content_type="application/json")
    return getattr(client, method)(url)


def test_every_route_with_an_id_is_in_the_matrix():
    missing = []
    for route, name in tenant_routes():
        if name in NOT_TENANT or any(route.startswith(prefix) for prefix in NOT_TENANT_PREFIXES):
            continue
        if name not in REGISTRY:
            missing.append(f"{route} ({name})")
    assert not missing, f"routes with an id missing from the access matrix: {missing}"


@pytest.mark.django_db
def test_access_matrix_has_no_leak(personas, capsys):
    routes = {name: route for route, name in tenant_routes() if name in REGISTRY}
    assert set(routes) == set(REGISTRY)
    cases, leaks = 0, []
    for name, route in routes.items():
        builder, situations, methods = REGISTRY[name]
        api = route.startswith("api/")
        for role in ROLES:
            client, user = client_for(personas, role, api)
            for method in methods:
                statuses = {}
                for situation in situations:
                    target = (
                        builder(personas, situation, user)
                        if builder is token_target
                        else builder(personas, situation)
                    )
                    response = call(client, method, url_for(route, target.kwargs))
                    statuses[situation] = (response.status_code, response)
                    cases += 1
                missing_status = statuses["missing"][0]
                for situation, (status, response) in statuses.items():
                    success = 200 <= status < 400 and not (
                        status == 302 and "/comptes/login/" in getattr(response, "url", "")
                    )
                    label = f"{method.upper()} {name} as {role} on {situation}: {status}"
                    if situation in {"other", "withdrawn"} and (status != missing_status or success):
                        leaks.append(label + f" (missing id gives {missing_status})")
                    if situation == "shared" and method in WRITES and success:
                        leaks.append(label + " (write on a file shared for reading)")
                    if situation == "shared" and name not in SHARED_READS and success:
                        leaks.append(label + " (only the file itself is shared)")
                    if role == "outsider" and success and name not in USER_SCOPED:
                        leaks.append(label + " (user without structure)")
    floor = sum(len(REGISTRY[n][1]) * len(REGISTRY[n][2]) for n in routes) * len(ROLES)
    report = f"{cases} cases, {len(leaks)} leaks"
    with capsys.disabled():
        print(f"\naccess matrix: {report} ({len(routes)} routes × {len(ROLES)} roles)")
    assert cases == floor, report
    assert not leaks, report + "\n" + "\n".join(leaks)


@pytest.mark.django_db
def test_shared_file_is_readable_and_withdrawal_closes_it_for_the_api(personas):
    target = person_targets(personas, "shared")
    client, _ = client_for(personas, "case_worker_a", api=True)
    assert client.get(f"/api/v1/people/{target.kwargs['pk']}").status_code == 200
    assert client.get(f"/personnes/{target.kwargs['pk']}/").status_code == 302  # token client has no session


@pytest.mark.django_db
def test_admin_is_staff_only(personas):
    client, _ = client_for(personas, "admin_a", api=False)
    response = client.get("/admin/users/user/")
    assert response.status_code == 302 and "/admin/login/" in response.url

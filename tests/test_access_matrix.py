"""Cross-structure access matrix, generated from the URLconf and the OpenAPI schema.

Every route that takes an object id × every role of structure A, a former member, a member of
both A and B, a user without structure and an anonymous visitor × each situation of the target
object: A's own, B's ("other"), B's shared with A by an active sharing consent, B's whose sharing
consent was withdrawn, and an id that does not exist.

A leak is any of:
- a success (2xx, or 3xx anywhere but the login page) where the policy below does not allow it;
- a database write where the policy does not allow one (a fingerprint of the tables, taken
  before and after each request: a refused request must write nothing);
- an answer on another structure's object that differs from the answer on a missing id
  (status, and the body for the API): not found and not allowed look the same.
The matrix also fails when an allowed request is refused, or an allowed write writes nothing:
a matrix that sees only 404s would report 0 leaks and prove nothing.

A route with an id that is neither in REGISTRY nor in NOT_TENANT fails the test, and the API
side is read from the OpenAPI schema too, so a new route or method cannot escape the matrix.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Q, Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jalon.audit.models import Action, AuditEvent
from jalon.notifications.models import MessageChannel, MessageStatus, OutboxMessage
from jalon.people import actions
from jalon.people.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Person,
    PersonEvent,
    SensitiveNote,
)
from jalon.structures.models import Membership, Role
from jalon.users.models import ApiToken

from .access import EXTENSIONS
from .access.core import MISSING, OBJECT_SITUATIONS, Rule, Target
from .conftest import mark_recent_login
from .factories import MembershipFactory, PersonFactory, StructureFactory, UserFactory

# Who asks. The personas of A, plus three who must see nothing of anybody's structure data:
# a deactivated member of A, a user without structure, an anonymous visitor. "both_ab" works
# for A and B, with A as current structure: B's objects stay closed until they switch.
ROLES = [
    "admin_a",
    "case_worker_a",
    "coordinator_a",
    "trainer_a",
    "read_only_a",
    "both_ab",
    "former_a",
    "outsider",
    "anonymous",
]

# Routes with parameters that are not tenant objects, and why.
NOT_TENANT = {
    "invitation_accept": "public link carrying a random token (not an id); tested in tests/people/test_rules.py",
    "account_confirm_email": "allauth: signed e-mail confirmation key",
    "account_reset_password_from_key": "allauth: signed password-reset key",
    "help_page": "public user guide: the slug names a shipped Markdown page; tested in tests/shell/test_help.py",
    "mfa_remove_webauthn": "allauth: the user's own security keys only; tested in tests/auth/test_mfa.py",
    "mfa_edit_webauthn": "allauth: the user's own security keys only; tested in tests/auth/test_mfa.py",
}
# The Django admin is for platform staff only (is_staff): every one of its routes with a
# parameter is checked against every persona in test_admin_routes_refuse_every_persona.
ADMIN_PREFIX = "admin/"


# --- Targets: the object a route acts on, in a given situation ---------------------------------


# Situations, and for each the situation it must look like when refused (its "twin").
PERSON_SITUATIONS = {
    "own": None,
    "other": "missing",
    "shared": "missing",
    "withdrawn": "missing",
    "missing": None,
}
CONSENT_SITUATIONS = {
    **PERSON_SITUATIONS,
    # A's own file with the id of a consent of B's file in the second parameter.
    "own_foreign_consent": "own_missing_consent",
    "own_missing_consent": None,
}
TOKEN_SITUATIONS = {"own": None, "colleague": "missing", "other": "missing", "missing": None}


def _person(personas, structure, actor):
    person = PersonFactory(structure=structure, referent=actor)
    consent = actions.give_consent(
        person=person,
        structure=structure,
        actor=actor,
        purpose=ConsentPurpose.CONTACT_SMS,
        method=ConsentMethod.ORAL,
    )
    return person, consent


def person_target(personas, situation, actor):
    a, b = personas.structure_a, personas.structure_b
    if situation == "missing":
        return Target({"object": MISSING, "consent": MISSING})
    if situation.startswith("own"):
        person, consent = _person(personas, a, personas.case_worker_a.user)
        if situation == "own_foreign_consent":
            consent = _person(personas, b, personas.case_worker_b.user)[1]
        ids = {"object": person.pk, "consent": MISSING if situation == "own_missing_consent" else consent.pk}
        return Target(ids, person)
    b_worker = personas.case_worker_b.user
    person, consent = _person(personas, b, b_worker)
    if situation in {"shared", "withdrawn"}:
        sharing = actions.give_consent(
            person=person,
            structure=b,
            actor=b_worker,
            purpose=ConsentPurpose.SHARING,
            method=ConsentMethod.PAPER,
            target_structure=a,
        )
        if situation == "withdrawn":
            actions.withdraw_consent(consent=sharing, structure=b, actor=b_worker)
    return Target({"object": person.pk, "consent": consent.pk}, person)


def membership_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    structure = personas.structure_a if situation == "own" else personas.structure_b
    return Target({"object": MembershipFactory(structure=structure, role=Role.CASE_WORKER).pk})


def outbox_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    message = OutboxMessage.objects.create(
        structure=personas.structure_a if situation == "own" else personas.structure_b,
        channel=MessageChannel.SMS,
        to="+33612345678",
        body="x",
        status=MessageStatus.FAILED,
    )
    return Target({"object": message.pk})


def token_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    if situation == "own":
        owner = actor.user or UserFactory()
    elif situation == "colleague":
        owner = personas.case_worker_a.user if actor.user == personas.admin_a.user else personas.admin_a.user
    else:
        owner = personas.case_worker_b.user
    return Target({"object": ApiToken.issue(user=owner, name="cible")[0].pk})


FAMILIES = {
    "person": (person_target, PERSON_SITUATIONS),
    "consent": (person_target, CONSENT_SITUATIONS),
    "membership": (membership_target, OBJECT_SITUATIONS),
    "outbox": (outbox_target, OBJECT_SITUATIONS),
    "token": (token_target, TOKEN_SITUATIONS),
}
# URL parameter → which id of the target it takes.
PARAMS = {"pk": "object", "person_id": "object", "consent_pk": "consent"}


# --- The policy: who may do what, in which situation -------------------------------------------


def is_referent_or_need_to_know(membership, target):
    return target.person.referent_id == membership.user_id or membership.need_to_know


PERSON_BODY = {"first_name": "Fuite", "last_name": "Fuite", "phone": "06 12 34 56 78"}
REGISTRY = {
    "person_detail": Rule("person", ["get", "post"], ("people.view",), reads_shared=True),
    "person_edit": Rule("person", ["get", "post"], ("people.edit",), writes=True, body=PERSON_BODY),
    "consent_add": Rule(
        "person",
        ["post"],
        ("people.edit", "consent.edit"),
        writes=True,
        body={"purpose": ConsentPurpose.CONTACT_EMAIL, "method": ConsentMethod.ORAL},
    ),
    "consent_withdraw": Rule(
        "consent", ["get", "post"], ("people.edit", "consent.edit"), writes=True, body={"confirme": "oui"}
    ),
    "person_sensitive": Rule(
        "person",
        ["get", "post"],
        ("people.view",),
        writes=True,
        extra=is_referent_or_need_to_know,
        body={"category": "sante", "text": "Note de test"},
    ),
    "person_access_log": Rule("person", ["get", "post"], ("people.view",)),
    "structure_member_edit": Rule(
        "membership",
        ["get", "post"],
        ("structure.manage",),
        writes=True,
        body={"role": Role.READ_ONLY, "is_active": "on"},
    ),
    "structure_outbox_retry": Rule("outbox", ["post"], ("structure.manage",), writes=True),
    "api_token_revoke": Rule(
        "token", ["get", "post"], writes=True, user_scoped=True, body={"confirme": "oui"}
    ),
    "api:get_person": Rule("person", ["get"], ("people.view",), reads_shared=True),
    "api:patch_person": Rule(
        "person", ["patch"], ("people.view", "people.edit"), writes=True, body={"first_name": "Fuite"}
    ),
}


# Feature areas add their routes from tests/access/<area>.py.
for _extension in EXTENSIONS:
    FAMILIES.update(_extension.FAMILIES)
    REGISTRY.update(_extension.REGISTRY)
    PARAMS.update(_extension.PARAMS)
    NOT_TENANT.update(_extension.NOT_TENANT)


def allowed(rule: Rule, actor, situation: str, target: Target) -> bool:
    if rule.user_scoped:
        return actor.user is not None and situation == "own"
    membership = actor.membership
    if membership is None or not all(membership.can(p) for p in rule.permissions):
        return False
    if situation == "own":
        return rule.extra is None or rule.extra(membership, target)
    if situation in rule.also:
        return rule.extra is None or rule.extra(membership, target)
    return situation == "shared" and rule.reads_shared


# --- Discovery: the URLconf and the OpenAPI schema ---------------------------------------------


@dataclass
class Route:
    route: str  # as in the URLconf, without the leading slash
    name: str | None  # qualified: "api:get_person"
    params: list

    @property
    def is_api(self):
        return self.route.startswith("api/")

    @property
    def openapi_path(self):
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.route)


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def routes_with_parameters() -> list[Route]:
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                params = [a or b for a, b in PARAM.findall(route)]
                if params:
                    name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else None
                    found.append(Route(route, name, params))

    walk(get_resolver().url_patterns, "", "")
    return found


def openapi_operations(client) -> set[tuple[str, str]]:
    """(path, method) of every API operation whose path takes a parameter."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return {
        (path, method)
        for path, operations in response.json()["paths"].items()
        if "{" in path
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def is_admin(route: Route) -> bool:
    return route.route.startswith(ADMIN_PREFIX)


def test_every_route_with_an_id_is_in_the_matrix():
    unknown = [
        f"{r.route} ({r.name})"
        for r in routes_with_parameters()
        if not is_admin(r) and r.name not in REGISTRY and r.name not in NOT_TENANT
    ]
    assert not unknown, f"routes with an id missing from the access matrix (add them to REGISTRY): {unknown}"
    names = {r.name for r in routes_with_parameters()}
    stale = set(REGISTRY) - names
    assert not stale, f"REGISTRY lists routes that no longer exist: {stale}"
    for r in routes_with_parameters():
        if r.name in REGISTRY:
            assert set(r.params) <= set(PARAMS), f"{r.route}: parameter without a target id: {r.params}"


@pytest.mark.django_db
def test_openapi_operations_match_the_registry(personas):
    """The schema is the API's contract: every operation with an id is in the matrix, and only those."""
    client = personas.client_for(personas.admin_a)
    from_schema = openapi_operations(client)
    api_routes = {r.name: r for r in routes_with_parameters() if r.is_api}
    from_registry = {
        (api_routes[name].openapi_path, method)
        for name, rule in REGISTRY.items()
        if name in api_routes
        for method in rule.methods
    }
    assert from_schema, "the OpenAPI schema lists no operation with a parameter"
    assert from_schema == from_registry, (
        f"in the schema, not in the matrix: {sorted(from_schema - from_registry)}; "
        f"in the matrix, not in the schema: {sorted(from_registry - from_schema)}"
    )


# --- Running the matrix ------------------------------------------------------------------------


@dataclass
class Actor:
    role: str
    user: object | None
    membership: Membership | None  # the membership requests run under (current structure)
    web: Client
    api: dict  # auth variant → client


def make_actors(personas) -> dict[str, Actor]:
    former = MembershipFactory(structure=personas.structure_a, role=Role.CASE_WORKER, is_active=False)
    both = MembershipFactory(structure=personas.structure_a, role=Role.CASE_WORKER)
    MembershipFactory(structure=personas.structure_b, role=Role.CASE_WORKER, user=both.user)
    both.user.current_structure = personas.structure_a
    both.user.save(update_fields=["current_structure"])
    users = {
        "both_ab": (both.user, both),
        "former_a": (former.user, None),
        "outsider": (personas.outsider, None),
        "anonymous": (None, None),
    }
    actors = {}
    for role in ROLES:
        if role in users:
            user, membership = users[role]
        else:
            membership = getattr(personas, role)
            user = membership.user
        web = Client()
        api = {"anonyme": Client()}
        if user is not None:
            web.force_login(user)
            # As after the login page: sensitive notes, tokens and exports ask for a recent login.
            mark_recent_login(web, user)
            _, raw = ApiToken.issue(user=user, name="matrice")
            api = {"jeton": Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), "session": web}
        actors[role] = Actor(role, user, membership, web, api)
    return actors


READS = [Action.READ, Action.READ_SENSITIVE]


def fingerprint() -> tuple:
    """Everything a route in the matrix could write; reading leaves only read audit events."""
    return (
        Person.objects.aggregate(n=Count("pk"), changed=Max("updated_at")),
        Consent.objects.aggregate(n=Count("pk"), withdrawn=Count("withdrawn_at")),
        SensitiveNote.objects.count(),
        PersonEvent.objects.count(),
        AuditEvent.objects.exclude(action__in=READS).count(),
        OutboxMessage.objects.aggregate(
            n=Count("pk"), failed=Count("pk", filter=Q(status=MessageStatus.FAILED)), tries=Sum("attempts")
        ),
        Membership.objects.aggregate(
            n=Count("pk"),
            active=Count("pk", filter=Q(is_active=True)),
            ntk=Count("pk", filter=Q(need_to_know=True)),
            **{role: Count("pk", filter=Q(role=role)) for role in Role.values},
        ),
        ApiToken.objects.filter(revoked_at__isnull=False).count(),
        *(measure() for extension in EXTENSIONS for measure in extension.FINGERPRINTS),
    )


def request(client, method, url, body, api):
    if api:
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, data=body, content_type="application/json")
    if method == "get":
        return client.get(url)
    return client.post(url, data=body)


def is_success(response) -> bool:
    if 200 <= response.status_code < 300:
        return True
    if 300 <= response.status_code < 400:
        return "/login/" not in response.get("Location", "")
    return False


def body_of(response, api):
    return response.content if api else None


@dataclass
class Case:
    label: str
    situation: str
    status: int
    body: bytes | None
    success: bool
    wrote: bool
    allowed: bool


def run_route(personas, actors, route: Route, rule: Rule, leaks: list, blind: list) -> int:
    builder, situations = FAMILIES[rule.family]
    cases = 0
    for actor in actors.values():
        clients = actor.api if route.is_api else {"web": actor.web}
        for auth, client in clients.items():
            for method in rule.methods:
                results = {}
                for situation in situations:
                    target = builder(personas, situation, actor)
                    url = reverse(route.name, kwargs={p: target.ids[PARAMS[p]] for p in route.params})
                    before = fingerprint()
                    response = request(client, method, url, rule.body, route.is_api)
                    wrote = fingerprint() != before
                    label = f"{method.upper()} {route.name} as {actor.role} ({auth}) on {situation}"
                    results[situation] = Case(
                        label,
                        situation,
                        response.status_code,
                        body_of(response, route.is_api),
                        is_success(response),
                        wrote,
                        allowed(rule, actor, situation, target),
                    )
                    cases += 1
                judge(rule, method, situations, results, leaks, blind)
    return cases


def judge(rule, method, situations, results, leaks, blind):
    for situation, case in results.items():
        said = f"{case.label}: {case.status}"
        if not case.allowed:
            if case.success:
                leaks.append(f"{said} (success where the policy refuses)")
            if case.wrote:
                leaks.append(f"{said} (wrote to the database)")
            twin = results.get(situations[situation]) if situations[situation] else None
            if twin is not None and (case.status, case.body) != (twin.status, twin.body):
                leaks.append(f"{said} (a missing id gives {twin.status}: the answer tells the object exists)")
            continue
        if case.wrote and not rule.writes:
            leaks.append(f"{said} (a read wrote to the database)")
        if not case.success:
            blind.append(f"{said} (allowed, but refused)")
        elif rule.writes and method != "get" and not case.wrote:
            blind.append(f"{said} (allowed write, nothing written)")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_access_matrix_has_no_leak(personas, name):
    """One test per route, so that a failure names its route (and the routes run in parallel)."""
    routes = {r.name: r for r in routes_with_parameters()}
    assert name in routes, f"{name} is in REGISTRY but no longer in the URLconf"
    route, rule = routes[name], REGISTRY[name]
    actors = make_actors(personas)
    if route.is_api:
        # The right method for each API operation is the schema's (and every operation of the
        # schema is in REGISTRY: test_openapi_operations_match_the_registry).
        operations = openapi_operations(actors["admin_a"].web)
        assert {(route.openapi_path, m) for m in rule.methods} <= operations, route.name
    leaks, blind = [], []
    cases = run_route(personas, actors, route, rule, leaks, blind)
    # At least own, other and missing, for every role, every method.
    floor = len(rule.methods) * len(ROLES) * 3
    report = f"{route.route} ({name}): {cases} cases, {len(leaks)} leaks, {len(ROLES)} roles"
    assert cases >= floor > 0, f"{report}; floor {floor}"
    assert not blind, f"{report}; the matrix is blind on these cases:\n" + "\n".join(blind)
    assert not leaks, report + "\n" + "\n".join(leaks)


def test_method_declarations_match_the_views(personas):
    """A web route's methods in REGISTRY are exactly those its view serves (others answer 405)."""
    actors = make_actors(personas)
    for route in routes_with_parameters():
        if route.is_api or route.name not in REGISTRY:
            continue
        rule = REGISTRY[route.name]
        builder, _ = FAMILIES[rule.family]
        for method in ["get", "post"]:
            target = builder(personas, "own", actors["admin_a"])
            url = reverse(route.name, kwargs={p: target.ids[PARAMS[p]] for p in route.params})
            status = request(actors["admin_a"].web, method, url, rule.body, api=False).status_code
            assert (status != 405) == (method in rule.methods), f"{method.upper()} {route.name}: {status}"


@pytest.mark.django_db
def test_admin_routes_refuse_every_persona(personas, capsys):
    actors = make_actors(personas)
    user_type = ContentType.objects.get_for_model(type(personas.outsider))
    values = {
        "object_id": str(personas.case_worker_b.user.pk),
        "content_type_id": str(user_type.pk),
        "app_label": "users",
        "url": "users/user/",
    }
    admin_routes = [r for r in routes_with_parameters() if is_admin(r)]
    assert admin_routes
    cases, leaks = 0, []
    for route in admin_routes:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], route.route)
        path = "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m[1]], path).replace("^", "").replace(
            "$", ""
        )
        for actor in actors.values():
            response = actor.web.get(path)
            cases += 1
            if is_success(response):
                leaks.append(f"{path} as {actor.role}: {response.status_code}")
    with capsys.disabled():
        print(f"\nadmin routes: {cases} cases, {len(leaks)} leaks")
    assert cases == len(admin_routes) * len(actors)
    assert not leaks, leaks


@pytest.mark.django_db
def test_ids_in_the_request_body_stay_inside_the_structure(personas):
    """Ids the URL does not carry: a structure to switch to, a referent, a sharing target."""
    worker = personas.case_worker_a
    client = personas.client_for(worker)
    own = person_target(personas, "own", None).person
    theirs = person_target(personas, "other", None).person
    stranger = StructureFactory(name="Sans partenariat")
    before = fingerprint()

    client.post(reverse("structure_switch"), {"structure": personas.structure_b.pk})
    worker.user.refresh_from_db()
    assert worker.user.current_structure_id in {None, personas.structure_a.pk}
    assert client.get(reverse("person_detail", args=[theirs.pk])).status_code == 404

    b_user = personas.case_worker_b.user.pk
    response = client.post(reverse("person_edit", args=[own.pk]), {**PERSON_BODY, "referent": b_user})
    assert response.status_code == 200 and response.context["form"].errors.get("referent")
    created = client.post(
        reverse("person_create"),
        {**PERSON_BODY, "referent": b_user, "accompaniment_consent": "on", "consent_method": "oral"},
    )
    assert created.status_code == 200 and created.context["form"].errors.get("referent")
    client.post(
        reverse("consent_add", args=[own.pk]),
        {"purpose": ConsentPurpose.SHARING, "method": ConsentMethod.ORAL, "target_structure": stranger.pk},
    )
    assert not Consent.objects.filter(target_structure=stranger).exists()
    assert fingerprint() == before

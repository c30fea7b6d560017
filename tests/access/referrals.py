"""Access-matrix entries for the inbox, intake, action plan and orientation screens."""

from django.db.models import Count, Max

from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.referrals import actions
from jalon.referrals.models import (
    Intake,
    Orientation,
    OrientationTarget,
    PlanAction,
    PlanAxis,
    PlanObjective,
    Referral,
    ReferralEvent,
    ReferralSource,
)

from ..factories import PersonFactory, StructureFactory
from .core import MISSING, OBJECT_SITUATIONS, Rule, Target

REFERRAL_BODY = {"first_name": "Fuite", "phone": "06 12 34 56 78", "contact_consent": True}


def referral_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    structure = personas.structure_a if situation == "own" else personas.structure_b
    referral = actions.create_referral(
        structure=structure, referrer=None, source=ReferralSource.STAFF, data=REFERRAL_BODY
    )
    return Target({"object": referral.pk})


def _person(structure, worker):
    person = PersonFactory(structure=structure, referent=worker)
    from jalon.people.actions import give_consent

    give_consent(
        person=person,
        structure=structure,
        actor=worker,
        purpose=ConsentPurpose.ACCOMPANIMENT,
        method=ConsentMethod.ORAL,
    )
    return person


def _plan_action(person, structure, actor):
    axis = actions.add_plan_axis(person=person, structure=structure, actor=actor, title="Emploi")
    objective = actions.add_plan_objective(axis=axis, structure=structure, actor=actor, title="CV")
    return actions.add_plan_action(
        objective=objective, structure=structure, actor=actor, title="Écrire le CV"
    )


PLAN_ACTION_SITUATIONS = {
    "own": None,
    "other": "missing",
    "missing": None,
    # A's own file with the id of an action of B's file in the second parameter.
    "own_foreign_action": "own_missing_action",
    "own_missing_action": None,
}


def plan_action_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING, "plan_action": MISSING})
    a_worker, b_worker = personas.case_worker_a.user, personas.case_worker_b.user
    if situation == "other":
        person = _person(personas.structure_b, b_worker)
        action = _plan_action(person, personas.structure_b, b_worker)
        return Target({"object": person.pk, "plan_action": action.pk}, person)
    person = _person(personas.structure_a, a_worker)
    action = _plan_action(person, personas.structure_a, a_worker)
    action_id = action.pk
    if situation == "own_foreign_action":
        theirs = _person(personas.structure_b, b_worker)
        action_id = _plan_action(theirs, personas.structure_b, b_worker).pk
    elif situation == "own_missing_action":
        action_id = MISSING
    return Target({"object": person.pk, "plan_action": action_id}, person)


def _orientation(from_structure, worker, to_structure):
    person = _person(from_structure, worker)
    orientation = actions.propose_orientation(
        person=person,
        structure=from_structure,
        actor=worker,
        target_kind=OrientationTarget.STRUCTURE,
        target_structure=to_structure,
        motive="Accompagnement numérique",
        share_contact=True,
    )
    return Target({"object": orientation.pk, "to": to_structure.pk}, person)


ORIENTATION_SITUATIONS = {"own": None, "received": None, "other": "missing", "missing": None}


def orientation_target(personas, situation, actor):
    """own: sent by A to B; received: sent by B to A; other: sent by B to a third structure."""
    a, b = personas.structure_a, personas.structure_b
    if situation == "missing":
        return Target({"object": MISSING, "to": None})
    if situation == "own":
        return _orientation(a, personas.case_worker_a.user, b)
    if situation == "received":
        return _orientation(b, personas.case_worker_b.user, a)
    third = StructureFactory()
    return _orientation(b, personas.case_worker_b.user, third)


def incoming_orientation_target(personas, situation, actor):
    """own: an orientation A received (A answers it); other: one between B and a third structure."""
    if situation == "own":
        return orientation_target(personas, "received", actor)
    return orientation_target(personas, situation, actor)


FAMILIES = {
    "referral": (referral_target, OBJECT_SITUATIONS),
    "plan_action": (plan_action_target, PLAN_ACTION_SITUATIONS),
    "orientation": (orientation_target, {"own": None, "other": "missing", "missing": None}),
    "orientation_any": (orientation_target, ORIENTATION_SITUATIONS),
    "orientation_in": (incoming_orientation_target, OBJECT_SITUATIONS),
}
PARAMS = {"action_pk": "plan_action", "referral_id": "object", "orientation_id": "object"}
INTAKE_BODY = {"held_on": "2026-11-02", "need_emploi": "1", "summary": "Point"}
REGISTRY = {
    "referral_detail": Rule("referral", ["get"], ("people.view",)),
    "referral_status": Rule(
        "referral", ["post"], ("people.edit",), writes=True, body={"status": "contactee"}
    ),
    "referral_assign": Rule("referral", ["post"], ("people.edit",), writes=True, body={"assigned_to": ""}),
    "referral_welcome": Rule(
        "referral", ["post"], ("people.edit",), writes=True, body={"last_name": "Fuite"}
    ),
    "person_intake": Rule("person", ["get"], ("people.view",), reads_shared=True),
    "person_intake_add": Rule("person", ["post"], ("people.edit",), writes=True, body=INTAKE_BODY),
    "person_plan": Rule("person", ["get"], ("people.view",), reads_shared=True),
    "person_plan_add": Rule(
        "person", ["post"], ("people.edit",), writes=True, body={"kind": "axis", "title": "Se former"}
    ),
    "plan_action_done": Rule("plan_action", ["post"], ("people.edit",), writes=True),
    "orientation_create": Rule(
        "person",
        ["get", "post"],
        ("people.edit",),
        writes=True,
        body={"target_kind": "service", "target_label": "Atelier CV", "motive": "CV"},
    ),
    "service_finder": Rule("person", ["get"], ("people.edit",)),
    "orientation_detail": Rule("orientation_any", ["get"], ("people.view",), also=("received",)),
    "orientation_answer": Rule(
        "orientation_in", ["post"], ("people.edit",), writes=True, body={"decision": "oui"}
    ),
    "orientation_move": Rule(
        "orientation", ["post"], ("people.edit",), writes=True, body={"status": "annulee", "confirme": "oui"}
    ),
    "orientation_cancel": Rule("orientation", ["get"], ("people.edit",)),
    "api:get_referral": Rule("referral", ["get"], ("people.view",)),
    "api:patch_referral": Rule(
        "referral", ["patch"], ("people.view", "people.edit"), writes=True, body={"status": "contactee"}
    ),
    "api:get_orientation": Rule("orientation_any", ["get"], ("people.view",), also=("received",)),
    "api:answer_orientation": Rule(
        "orientation_in", ["post"], ("people.view", "people.edit"), writes=True, body={"accepted": True}
    ),
    "api:move_orientation": Rule(
        "orientation", ["post"], ("people.view", "people.edit"), writes=True, body={"status": "annulee"}
    ),
}
NOT_TENANT = {
    "public_orientation_answer": "public link carrying a signed random key; tested in tests/referrals/",
}
FINGERPRINTS = [
    lambda: Referral.objects.aggregate(
        n=Count("pk"), changed=Max("status_changed_at"), assigned=Count("assigned_to")
    ),
    lambda: ReferralEvent.objects.count(),
    lambda: Intake.objects.count(),
    lambda: (
        PlanAxis.objects.count(),
        PlanObjective.objects.count(),
        PlanAction.objects.exclude(done_at=None).count(),
    ),
    lambda: Orientation.objects.aggregate(n=Count("pk"), changed=Max("status_changed_at")),
]

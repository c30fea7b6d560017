"""Access-matrix entries for programmes, sessions, roll calls and pathways."""

from datetime import datetime, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from jalon.programmes import actions
from jalon.programmes.models import (
    Attendance,
    Enrolment,
    EntryRule,
    Exit,
    Invitation,
    Peer,
    Programme,
    Session,
    Stage,
    StageKind,
    Team,
    Trainer,
)

from ..factories import PersonFactory
from .core import MISSING, OBJECT_SITUATIONS, Rule, Target

SESSION_DAY = timezone.localdate() + timedelta(days=10)


def _programme(*owners, template=False):
    programme = Programme.objects.create(name="Programme", is_template=template)
    programme.owners.add(*owners)
    for position, kind in ((1, StageKind.WORKSHOP), (2, StageKind.BOOTCAMP)):
        Stage.objects.create(programme=programme, position=position, name=f"Étape {position}", kind=kind)
    return programme


def _session(*owners, people=4):
    programme = _programme(*owners)
    stage = programme.stages.get(position=2)
    start = timezone.make_aware(datetime.combine(SESSION_DAY, datetime.min.time()).replace(hour=9))
    session = actions.schedule_session(
        stage=stage, structure=owners[0], actor=None, slots=[(start, start + timedelta(hours=3))], capacity=10
    )
    for _ in range(people):
        actions.enrol(
            session=session,
            person=PersonFactory(structure=owners[0]),
            structure=owners[0],
            actor=None,
            check_rules=False,
        )
    return session


def _side(personas, situation):
    return personas.structure_b if situation == "other" else personas.structure_a


def programme_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    if situation == "template":
        return Target({"object": _programme(personas.structure_b, template=True).pk})
    return Target({"object": _programme(_side(personas, situation)).pk})


def stage_target(personas, situation, actor):
    """The second stage of a programme of two (so moving it up changes something)."""
    if situation == "missing":
        return Target({"object": MISSING})
    return Target({"object": _programme(_side(personas, situation)).stages.get(position=2).pk})


def session_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    return Target({"object": _session(_side(personas, situation)).pk})


def slot_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    return Target({"object": _session(_side(personas, situation)).slots.get().pk})


SESSION_PERSON_SITUATIONS = {
    "own": None,
    "other": "missing",
    "missing": None,
    # A's session with B's person in the second parameter, then a missing person.
    "own_foreign": "own_missing",
    "own_missing": None,
}


def session_person_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING, "person": MISSING})
    structure = _side(personas, situation)
    session = _session(structure, people=0)
    person = PersonFactory(structure=structure)
    person_id = person.pk
    if situation == "own_foreign":
        person_id = PersonFactory(structure=personas.structure_b).pk
    elif situation == "own_missing":
        person_id = MISSING
    return Target({"object": session.pk, "person": person_id}, person)


ENROLMENT_SITUATIONS = {
    "own": None,
    "other": "missing",
    "missing": None,
    # A's session with an enrolment of B's session; a co-run session with B's person; a missing one.
    "own_foreign": "own_missing",
    "co_run_foreign": "own_missing",
    "own_missing": None,
}


def session_enrolment_target(personas, situation, actor):
    a, b = personas.structure_a, personas.structure_b
    if situation == "missing":
        return Target({"object": MISSING, "enrolment": MISSING})
    if situation == "co_run_foreign":
        session = _session(a, b, people=1)
        foreign = actions.enrol(
            session=session, person=PersonFactory(structure=b), structure=b, actor=None, check_rules=False
        )
        return Target({"object": session.pk, "enrolment": foreign.pk})
    session = _session(_side(personas, situation), people=1)
    enrolment_id = session.enrolments.get().pk
    if situation == "own_foreign":
        enrolment_id = _session(b, people=1).enrolments.get().pk
    elif situation == "own_missing":
        enrolment_id = MISSING
    return Target({"object": session.pk, "enrolment": enrolment_id})


ONE_ENROLMENT_SITUATIONS = {"own": None, "other": "missing", "co_run_foreign": "missing", "missing": None}


def enrolment_target(personas, situation, actor):
    """An enrolment alone (API): A's, B's, B's person in a session A co-runs, or a missing id."""
    if situation == "missing":
        return Target({"object": MISSING})
    target = session_enrolment_target(personas, situation, actor)
    return Target({"object": target.ids["enrolment"]})


FAMILIES = {
    "programme": (programme_target, {**OBJECT_SITUATIONS, "template": "missing"}),
    "stage": (stage_target, OBJECT_SITUATIONS),
    "session": (session_target, OBJECT_SITUATIONS),
    "slot": (slot_target, OBJECT_SITUATIONS),
    "session_person": (session_person_target, SESSION_PERSON_SITUATIONS),
    "session_enrolment": (session_enrolment_target, ENROLMENT_SITUATIONS),
    "enrolment": (enrolment_target, ONE_ENROLMENT_SITUATIONS),
}
PARAMS = {
    "enrolment_pk": "enrolment",
    "person_pk": "person",
    "programme_id": "object",
    "session_id": "object",
    "enrolment_id": "object",
    "slot_id": "object",
}

SESSION_BODY = {"slots": f"{SESSION_DAY.isoformat()} 09:00-12:00", "capacity": 12, "waiting_list": "on"}
REGISTRY = {
    "programme_detail": Rule("programme", ["get"], ("people.view",)),
    "programme_dashboard": Rule("programme", ["get"], ("people.view",)),
    # A template of another structure may be copied; nothing else of theirs.
    "programme_copy": Rule(
        "programme", ["post"], ("programmes.manage",), writes=True, body={"name": "Copie"}, also=("template",)
    ),
    "stage_add": Rule(
        "programme",
        ["post"],
        ("programmes.manage",),
        writes=True,
        body={"name": "Simulateur", "kind": "simulateur"},
    ),
    "stage_move": Rule("stage", ["post"], ("programmes.manage",), writes=True, body={"sens": "haut"}),
    "stage_rule_add": Rule(
        "stage", ["post"], ("programmes.manage",), writes=True, body={"kind": "diagnostic"}
    ),
    "session_create": Rule("stage", ["get", "post"], ("programmes.manage",), writes=True, body=SESSION_BODY),
    "stage_proposals": Rule("stage", ["get", "post"], ("people.edit",)),
    "session_detail": Rule("session", ["get"], ("people.view",)),
    "session_teams": Rule("session", ["post"], ("programmes.manage",), writes=True, body={"teams": 2}),
    "session_trainer_add": Rule("session", ["post"], ("programmes.manage",), writes=True, body={"moi": "1"}),
    "session_sheet": Rule("session", ["get"], ("attendance.take",)),
    "slot_roll_call": Rule(
        "slot", ["get", "post"], ("attendance.take",), writes=True, body={"tous": "present"}
    ),
    "session_enrol": Rule("session_person", ["post"], ("people.edit",), writes=True),
    "session_invite": Rule("session_person", ["post"], ("people.edit",), writes=True),
    "enrolment_cancel": Rule(
        "session_enrolment", ["get", "post"], ("people.edit",), writes=True, body={"confirme": "oui"}
    ),
    "enrolment_finish": Rule(
        "session_enrolment",
        ["post"],
        ("people.edit",),
        writes=True,
        body={"ended_on": (SESSION_DAY + timedelta(days=1)).isoformat()},
    ),
    "person_pathway": Rule("person", ["get"], ("people.view",), reads_shared=True),
    "person_pathway_record": Rule("person", ["post"], ("people.edit",), writes=True, body={"action": "pair"}),
    "api:get_programme": Rule("programme", ["get"], ("people.view",)),
    "api:programme_funnel": Rule("programme", ["get"], ("people.view",)),
    "api:get_session": Rule("session", ["get"], ("people.view",)),
    "api:cancel_enrolment": Rule("enrolment", ["post"], ("people.view", "people.edit"), writes=True),
    "api:finish_enrolment": Rule(
        "enrolment",
        ["post"],
        ("people.view", "people.edit"),
        writes=True,
        body={"ended_on": (SESSION_DAY + timedelta(days=1)).isoformat()},
    ),
    "api:slot_attendance": Rule("slot", ["get"], ("attendance.take",)),
    "api:record_attendance": Rule(
        "slot", ["post"], ("attendance.take",), writes=True, body={"tous_presents": True}
    ),
}
NOT_TENANT = {
    "peer_roll_call": "public link carrying a signed token (session and peer); tested in tests/programmes/",
    "programme_registration": "public link carrying a signed invitation token; tested in tests/programmes/",
}
FINGERPRINTS = [
    lambda: Programme.objects.count(),
    lambda: tuple(Stage.objects.order_by("pk").values_list("position", flat=True)),
    lambda: (
        EntryRule.objects.count(),
        Session.objects.count(),
        Trainer.objects.count(),
        Team.objects.count(),
    ),
    lambda: Enrolment.objects.aggregate(
        n=Count("pk"),
        cancelled=Count("cancelled_at"),
        ended=Count("ended_on"),
        teams=Count("team"),
        last=Max("pk"),
    ),
    lambda: Attendance.objects.aggregate(n=Count("pk"), at=Max("recorded_at")),
    lambda: (Invitation.objects.count(), Exit.objects.count(), Peer.objects.count()),
]

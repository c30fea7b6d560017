"""Scoped reads of programmes: every row is reached through a programme its structure runs.

The world: A runs a programme alone, A and B co-run another, C runs a third and shares a
template; D runs nothing. Each programme has one session with one enrolment per structure
that runs it (and, in the co-run one, B's person beside A's), a slot, a trainer, an invitation,
an attendance and an exit.
"""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from jalon.people.actions import give_consent
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.programmes import actions, selectors
from jalon.programmes.models import (
    Attendance,
    AttendanceStatus,
    Enrolment,
    Exit,
    ExitCategory,
    Invitation,
    Peer,
    Programme,
    Session,
    Slot,
    Stage,
    StageKind,
    Trainer,
)
from tests.factories import PersonFactory, StructureFactory

DAY = date(2027, 3, 8)


class World:
    pass


def _programme(name, *owners, template=False):
    programme = Programme.objects.create(name=name, is_template=template)
    programme.owners.add(*owners)
    stage = Stage.objects.create(programme=programme, position=1, name=f"{name} 1", kind=StageKind.WORKSHOP)
    start = timezone.make_aware(datetime.combine(DAY, datetime.min.time()).replace(hour=9))
    session = actions.schedule_session(
        stage=stage, structure=owners[0], actor=None, slots=[(start, start + timedelta(hours=3))], capacity=10
    )
    Trainer.objects.create(session=session, label=f"Intervenant {name}")
    return programme


def _enrol(programme, structure, last_name):
    session = Session.objects.get(stage__programme=programme)
    person = PersonFactory(structure=structure, first_name="Alix", last_name=last_name)
    enrolment = actions.enrol(
        session=session, person=person, structure=structure, actor=None, check_rules=False
    )
    Invitation.objects.create(session=session, person=person)
    actions.take_attendance(
        slot=session.slots.get(), marks={enrolment.pk: AttendanceStatus.PRESENT}, structure=structure
    )
    Exit.objects.create(
        programme=programme, person=person, category=ExitCategory.OTHER, subtype="recherche", exited_on=DAY
    )
    Peer.objects.get_or_create(person=person)
    return enrolment


@pytest.fixture
def world(personas):
    w = World()
    w.a, w.b = personas.structure_a, personas.structure_b
    w.c, w.d = StructureFactory(name="Structure C"), StructureFactory(name="Structure D")
    w.alone = _programme("Seule", w.a)
    w.co_run = _programme("Ensemble", w.a, w.b)
    w.of_c = _programme("Chez C", w.c)
    w.template = _programme("Modèle", w.c, template=True)
    w.a_alone = _enrol(w.alone, w.a, "Martin")
    w.a_co = _enrol(w.co_run, w.a, "Bernard")
    w.b_co = _enrol(w.co_run, w.b, "Petit")
    w.c_own = _enrol(w.of_c, w.c, "Durand")
    # In the co-run programme each side's person shares their file with the other structure:
    # without that consent a co-runner only counts them (tests/programmes/test_consent_sharing.py).
    _share(w.a_co.person, w.b)
    _share(w.b_co.person, w.a)
    return w


def _share(person, target):
    return give_consent(
        person=person,
        structure=person.structure,
        actor=None,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.ORAL,
        target_structure=target,
    )


# Each model, and the lookup from one of its rows to its programme's id.
ROWS_BELOW_A_PROGRAMME = [
    (Stage, lambda row: row.programme_id),
    (Session, lambda row: row.stage.programme_id),
    (Slot, lambda row: row.session.stage.programme_id),
    (Trainer, lambda row: row.session.stage.programme_id),
    (Enrolment, lambda row: row.session.stage.programme_id),
    (Invitation, lambda row: row.session.stage.programme_id),
    (Attendance, lambda row: row.stage.programme_id),
    (Exit, lambda row: row.programme_id),
]


@pytest.mark.django_db
def test_run_by_lists_own_and_co_run_programmes_once(world):
    assert list(Programme.objects.run_by(world.a)) == [world.co_run, world.alone]
    assert list(Programme.objects.run_by(world.b)) == [world.co_run]
    assert set(Programme.objects.run_by(world.c)) == {world.of_c, world.template}
    assert not Programme.objects.run_by(world.d).exists()


@pytest.mark.django_db
def test_templates_are_listed_apart_and_copyable_by_everyone(world):
    assert list(Programme.objects.templates_for(world.a)) == [world.template]
    assert list(Programme.objects.templates_for(world.d)) == [world.template]
    # C runs the template: it is among its own programmes, not offered again.
    assert not Programme.objects.templates_for(world.c).exists()
    copyable = list(Programme.objects.copyable_by(world.a).order_by("pk"))
    assert copyable == [world.alone, world.co_run, world.template]
    assert list(Programme.objects.copyable_by(world.c).order_by("pk")) == [world.of_c, world.template]
    assert list(Programme.objects.copyable_by(world.d)) == [world.template]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model,programme_of", ROWS_BELOW_A_PROGRAMME, ids=lambda v: getattr(v, "__name__", "")
)
def test_in_programmes_of_follows_the_programme_owners(world, model, programme_of):
    def programmes(structure):
        rows = list(model.objects.in_programmes_of(structure))
        assert len(rows) == len({row.pk for row in rows}), "a co-run programme's row appears once"
        return sorted({programme_of(row) for row in rows})

    assert programmes(world.a) == sorted([world.alone.pk, world.co_run.pk])
    assert programmes(world.b) == [world.co_run.pk]
    # Nobody is enrolled in C's template: rows about people are in its other programme only.
    about_people = model in (Enrolment, Invitation, Attendance, Exit)
    assert programmes(world.c) == (
        [world.of_c.pk] if about_people else sorted([world.of_c.pk, world.template.pk])
    )
    assert programmes(world.d) == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Enrolment, Invitation, Attendance, Exit, Peer], ids=lambda m: m.__name__)
def test_of_people_of_keeps_the_structure_own_people(world, model):
    def last_names(structure):
        return sorted(row.person.last_name for row in model.objects.of_people_of(structure))

    assert last_names(world.a) == ["Bernard", "Martin"]
    assert last_names(world.b) == ["Petit"]
    assert last_names(world.d) == []


@pytest.mark.django_db
def test_editable_enrolments_are_own_people_in_own_programmes(world):
    assert set(Enrolment.objects.editable_by(world.a)) == {world.a_alone, world.a_co}
    # B co-runs: it reaches A's enrolment in the session, but acts on its own person only.
    assert world.a_co in Enrolment.objects.in_programmes_of(world.b)
    assert set(Enrolment.objects.editable_by(world.b)) == {world.b_co}
    assert not Enrolment.objects.editable_by(world.d).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model,method",
    [(Programme, "run_by"), (Programme, "templates_for"), (Programme, "copyable_by")]
    + [(model, "in_programmes_of") for model, _ in ROWS_BELOW_A_PROGRAMME]
    + [(model, "of_people_of") for model in (Enrolment, Invitation, Attendance, Exit, Peer)]
    + [(Enrolment, "editable_by")],
)
def test_no_structure_reaches_nothing_without_a_query(world, model, method, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(getattr(model.objects, method)(None)) == []


# --- Selectors -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_object_selectors_answer_none_outside_the_structure_programmes(world):
    session = Session.objects.get(stage__programme=world.co_run)
    slot, stage = session.slots.get(), session.stage
    for structure in (world.a, world.b):
        assert selectors.programme_for(structure, world.co_run.pk) == world.co_run
        assert selectors.stage_for(structure, stage.pk) == stage
        assert selectors.session_for(structure, session.pk) == session
        assert selectors.slot_for(structure, slot.pk) == slot
    alone = Session.objects.get(stage__programme=world.alone)
    for structure in (world.b, world.c, world.d, None):
        assert selectors.programme_for(structure, world.alone.pk) is None
        assert selectors.stage_for(structure, alone.stage_id) is None
        assert selectors.session_for(structure, alone.pk) is None
        assert selectors.slot_for(structure, alone.slots.get().pk) is None
    assert selectors.copyable_programme(world.d, world.template.pk) == world.template
    assert selectors.copyable_programme(world.d, world.of_c.pk) is None


@pytest.mark.django_db
def test_enrolment_for_is_own_person_and_own_session(world):
    session = Session.objects.get(stage__programme=world.co_run)
    assert selectors.enrolment_for(world.a, world.a_co.pk) == world.a_co
    assert selectors.enrolment_for(world.a, world.a_co.pk, session=session) == world.a_co
    # B's person in the session A co-runs looks like a missing id to A, and the other way round.
    assert selectors.enrolment_for(world.a, world.b_co.pk, session=session) is None
    assert selectors.enrolment_for(world.b, world.a_co.pk) is None
    other = Session.objects.get(stage__programme=world.alone)
    assert selectors.enrolment_for(world.a, world.a_co.pk, session=other) is None
    assert selectors.enrolment_for(world.c, world.c_own.pk) == world.c_own


@pytest.mark.django_db
def test_session_enrolments_name_partners_people_by_initial(world, django_assert_num_queries):
    session = Session.objects.get(stage__programme=world.co_run)
    with django_assert_num_queries(1):
        rows = selectors.session_enrolments(session, world.a, counts=True)
    assert [(e.display, e.own, e.attended, e.marked) for e in rows] == [
        ("Alix Bernard", True, 1, 1),
        ("Alix P.", False, 1, 1),
    ]
    assert selectors.own_person_ids(rows, world.a) == [world.a_co.person_id]
    rows = selectors.session_enrolments(session, world.b, by_name=False)
    assert [(e.display, e.own) for e in rows] == [("Alix B.", False), ("Alix Petit", True)]
    # A peer facilitator (no structure) sees first names and initials only, of the people their
    # own structure may name; acting for no structure, they name no one.
    rows = selectors.roll_call_enrolments(session.slots.get(), None, on_behalf_of=world.a)
    assert sorted(e.display for e in rows) == ["Alix B.", "Alix P."]
    rows = selectors.roll_call_enrolments(session.slots.get(), None)
    assert (list(rows), rows.hidden) == ([], 2)


@pytest.mark.django_db
def test_sessions_between_includes_both_ends_and_filters_a_programme(world):
    def ids(structure, first, last, **kwargs):
        return [s.stage.programme_id for s in selectors.sessions_between(structure, first, last, **kwargs)]

    assert sorted(ids(world.a, DAY, DAY)) == sorted([world.alone.pk, world.co_run.pk])
    assert ids(world.a, DAY + timedelta(days=1), DAY + timedelta(days=9)) == []
    assert ids(world.a, DAY - timedelta(days=9), DAY - timedelta(days=1)) == []
    assert ids(world.a, DAY, DAY, programme_id=world.co_run.pk) == [world.co_run.pk]
    assert ids(world.a, DAY, DAY, programme_id=world.of_c.pk) == []
    assert ids(world.d, DAY, DAY) == []


@pytest.mark.django_db
def test_pathway_reads_only_the_structure_programmes(world):
    person = world.a_co.person
    # The same person also in C's programme (an enrolment C made before a change of referent).
    Enrolment.objects.create(
        session=Session.objects.get(stage__programme=world.of_c), person=person, status="inscrite"
    )
    assert [e.session.stage.programme_id for e in selectors.pathway_enrolments(person, world.a)] == [
        world.co_run.pk
    ]
    assert [x.programme_id for x in selectors.pathway_exits(person, world.a)] == [world.co_run.pk]
    assert selectors.pathway_enrolments(person, world.d) == []


@pytest.mark.django_db
def test_peers_are_the_structure_own(world):
    assert sorted(p.person.last_name for p in selectors.peers_of(world.a)) == ["Bernard", "Martin"]
    peer_b = Peer.objects.get(person=world.b_co.person)
    assert selectors.peer_for(world.a, peer_b.pk) is None
    assert selectors.peer_for(world.b, peer_b.pk) == peer_b


# --- Pages and API read through the same selectors -----------------------------------------------


@pytest.mark.django_db
def test_session_page_and_api_name_a_co_run_session_people_alike(world, personas):
    """Both sides list the co-run session's people with the names each structure may see, and
    answer 404 alike to a structure that does not run the programme."""
    from django.urls import reverse

    from tests.api.test_auth import token_client

    session = Session.objects.get(stage__programme=world.co_run)
    slot = session.slots.get()
    for membership, names in (
        (personas.case_worker_a, ["Alix Bernard", "Alix P."]),
        (personas.case_worker_b, ["Alix B.", "Alix Petit"]),
    ):
        api = token_client(membership.user).get(f"/api/v1/sessions/{session.pk}").json()
        assert sorted(e["name"] for e in api["enrolments"]) == names
        page = personas.client_for(membership).get(reverse("session_detail", args=[session.pk]))
        text = page.content.decode()
        assert page.status_code == 200 and all(name in text for name in names)
        roll_call = personas.client_for(membership).get(reverse("slot_roll_call", args=[slot.pk]))
        assert roll_call.status_code == 200 and all(name in roll_call.content.decode() for name in names)
    alone = Session.objects.get(stage__programme=world.alone)
    b = personas.case_worker_b
    assert token_client(b.user).get(f"/api/v1/sessions/{alone.pk}").status_code == 404
    assert personas.client_for(b).get(reverse("session_detail", args=[alone.pk])).status_code == 404
    assert (
        personas.client_for(b).get(reverse("slot_roll_call", args=[alone.slots.get().pk])).status_code == 404
    )
    assert token_client(b.user).get(f"/api/v1/slots/{alone.slots.get().pk}/attendance").status_code == 404

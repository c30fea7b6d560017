"""Defect 10: each role's menu and home offer what that role can do, and never a page that refuses it."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jalon.programmes import actions
from jalon.programmes.models import StageKind
from jalon.referrals.models import Orientation, OrientationStatus, OrientationTarget
from jalon.structures.models import Role
from tests.factories import MembershipFactory, PersonFactory, StructureFactory

from .helpers import labels_in, links_in

pytestmark = pytest.mark.django_db

EVERYTHING = [
    "Accueil",
    "Demandes",
    "Relais",
    "Personnes",
    "Orientations",
    "Agenda",
    "Programmes",
    "Annuaire",
    "Indicateurs",
]
ADMINISTRATION = ["Ma structure", "Membres", "Journal", "Messages"]
MENUS = {
    "admin_a": EVERYTHING + ADMINISTRATION,
    "case_worker_a": EVERYTHING,
    "coordinator_a": EVERYTHING,
    # Takes roll calls and changes no file: the intake pipeline is not theirs.
    "trainer_a": ["Accueil", "Programmes"],
    # Reads every list, administers nothing.
    "read_only_a": EVERYTHING,
}
BUTTONS = {
    "admin_a": ["Membres", "Ma structure", "Programmes", "Nouvelle personne", "Demandes"],
    "case_worker_a": ["Nouvelle personne", "Demandes", "Chercher une personne"],
    "coordinator_a": ["Programmes", "Nouvelle personne", "Demandes"],
    "read_only_a": ["Personnes", "Demandes", "Orientations", "Indicateurs"],
}


def _at(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _session(personas, days=-1):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme = actions.create_programme(structure=a, actor=actor, name="Ensemble à 100 %")
    stage = actions.add_stage(
        programme=programme, structure=a, actor=actor, name="Ateliers", kind=StageKind.WORKSHOP
    )
    session = actions.schedule_session(
        stage=stage, structure=a, actor=actor, slots=[(_at(days, 9), _at(days, 12))], capacity=10
    )
    actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=actor)
    return programme, session


@pytest.mark.parametrize("role", list(MENUS))
def test_menu_lists_what_the_role_can_do_and_every_link_answers(personas, role):
    client = personas.client_for(getattr(personas, role))
    page = client.get(reverse("home"))
    assert labels_in(page, "menu-principal") == MENUS[role]
    for href, label in links_in(page, "menu-principal"):
        assert client.get(href).status_code == 200, (role, label, href)


@pytest.mark.parametrize("role", list(BUTTONS))
def test_home_offers_the_main_actions_of_the_role_and_none_refuses_it(personas, role):
    client = personas.client_for(getattr(personas, role))
    page = client.get(reverse("home"))
    buttons = labels_in(page, "actions-principales")
    assert buttons[: len(BUTTONS[role])] == BUTTONS[role], buttons
    for href, label in links_in(page, "actions-principales"):
        if not href.startswith("#"):
            assert client.get(href).status_code == 200, (role, label, href)
    if role == "read_only_a":
        assert "Nouvelle personne" not in buttons


def test_trainer_home_has_their_sessions_and_roll_call_not_the_orientations_they_cannot_answer(personas):
    _, session = _session(personas)
    session.trainers.create(user=personas.trainer_a.user)
    b = personas.structure_b
    Orientation.objects.create(
        person=PersonFactory(structure=b),
        from_structure=b,
        from_user=personas.case_worker_b.user,
        target_kind=OrientationTarget.STRUCTURE,
        target_structure=personas.structure_a,
        motive="Atelier CV",
        share_contact=True,
        status=OrientationStatus.PROPOSED,
    )
    trainer = personas.client_for(personas.trainer_a)
    page = trainer.get(reverse("home"))
    text = page.content.decode().lower()
    assert "orientations reçues" not in text
    buttons = dict((label, href) for href, label in links_in(page, "actions-principales"))
    assert list(buttons) == ["Faire l'appel", "Mes sessions"]
    assert trainer.get(buttons["Faire l'appel"]).status_code == 200
    assert 'id="mes-sessions"' in text and reverse("session_detail", args=[session.pk]) in text
    # Who can answer the orientation still has it on their list.
    case_worker = personas.client_for(personas.case_worker_a).get(reverse("home"))
    assert "orientations reçues" in case_worker.content.decode().lower()


def test_trainer_leading_nothing_still_has_somewhere_to_go(personas):
    page = personas.client_for(personas.trainer_a).get(reverse("home"))
    assert labels_in(page, "actions-principales") == ["Programmes"]


def test_coordinator_of_an_event_only_structure_is_not_left_with_new_person_alone(personas):
    events = StructureFactory(name="Teen's Up")
    coordinator = MembershipFactory(
        structure=events, role=Role.COORDINATOR, user__email="coord@teens.example"
    )
    programme = actions.create_programme(structure=events, actor=coordinator.user, name="Parcours collèges")
    client = personas.client_for(coordinator)
    page = client.get(reverse("home"))
    buttons = dict((label, href) for href, label in links_in(page, "actions-principales"))
    assert list(buttons)[:2] == ["Programmes", "Tableau de bord"]
    assert buttons["Tableau de bord"] == reverse("programme_dashboard", args=[programme.pk])
    for href in buttons.values():
        assert client.get(href).status_code == 200

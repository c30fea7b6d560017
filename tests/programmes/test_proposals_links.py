"""The proposals page offers to schedule a session only to those who may (found by the crawl)."""

import pytest
from django.urls import reverse

from jalon.programmes import actions

from .test_pages import _world

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage_without_session(personas):
    """SprintCamp has no session yet, and one person attended the workshop its rule asks for."""
    _, _, camp, session, enrolments = _world(personas, people=1)
    actions.take_attendance(
        slot=session.slots.first(),
        marks={enrolments[0].pk: "present"},
        structure=personas.structure_a,
        actor=None,
    )
    return camp


def _proposals(personas, membership, stage):
    client = personas.client_for(membership)
    response = client.get(reverse("stage_proposals", args=[stage.pk]))
    assert response.status_code == 200
    return client, response.content.decode()


def test_a_case_worker_is_not_sent_to_a_page_that_refuses_them(personas, stage_without_session):
    url = reverse("session_create", args=[stage_without_session.pk])
    client, html = _proposals(personas, personas.case_worker_a, stage_without_session)
    assert client.get(url).status_code == 403  # case workers do not schedule sessions
    assert url not in html
    assert "Aucune session à venir" in html


def test_a_coordinator_is_offered_to_schedule_one(personas, stage_without_session):
    url = reverse("session_create", args=[stage_without_session.pk])
    client, html = _proposals(personas, personas.coordinator_a, stage_without_session)
    assert url in html
    assert client.get(url).status_code == 200

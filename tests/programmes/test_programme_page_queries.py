"""The programme page reads the sessions of all its stages at once (the crawl found 34-37 queries
on the demo's programmes, two more for every stage)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jalon.programmes import actions
from jalon.programmes.models import StageKind

from .test_pages import _at

pytestmark = pytest.mark.django_db


def _programme(personas, stages: int):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme = actions.create_programme(structure=a, actor=actor, name=f"Parcours en {stages} étapes")
    for n in range(stages):
        stage = actions.add_stage(
            programme=programme, structure=a, actor=actor, name=f"Étape {n}", kind=StageKind.WORKSHOP
        )
        for days in (-20, -10, 10, 20):  # two past sessions and two to come, for every stage
            actions.schedule_session(
                stage=stage, structure=a, actor=actor, slots=[(_at(days, 9), _at(days, 12))], capacity=8
            )
    return programme


def _queries(client, programme) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("programme_detail", args=[programme.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_programme_page_reads_the_sessions_of_every_stage_in_two_queries(personas):
    client = personas.client_for(personas.coordinator_a)
    client.get(reverse("programme_list"))  # the first request of a session records the structure
    small, _ = _queries(client, _programme(personas, stages=1))
    big = _programme(personas, stages=6)
    many, html = _queries(client, big)
    assert many == small, f"1 stage: {small} queries, 6 stages: {many}"
    # Every stage still shows its sessions: 6 × 2 to come, 6 × 2 past.
    assert html.count("/programmes/sessions/") >= 24

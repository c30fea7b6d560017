"""The person file's "Plan d'action (n à faire)" and "Informations sensibles (présentes)": read in
one query for the structure's own files, never for a file shared by another structure."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jalon.people.models import Person, SensitiveCategory, SensitiveNote
from jalon.referrals import actions

pytestmark = pytest.mark.django_db


def _page(client, person):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("person_detail", args=[person.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode()), queries


def test_open_actions_and_sensitive_note_are_shown_from_one_query(personas, person_a):
    a, worker = personas.structure_a, personas.case_worker_a.user
    client = personas.client_for(personas.case_worker_a)
    client.get(reverse("home"))
    page, _ = _page(client, person_a)
    assert "Plan d'action</a>" in page and "(présentes)" not in page

    axis = actions.add_plan_axis(person=person_a, structure=a, actor=worker, title="Axe")
    objective = actions.add_plan_objective(axis=axis, structure=a, actor=worker, title="Objectif")
    added = [
        actions.add_plan_action(objective=objective, structure=a, actor=worker, title=f"Action {i}")
        for i in range(3)
    ]
    actions.complete_plan_action(action=added[0], structure=a, actor=worker)
    note = SensitiveNote(person=person_a, category=SensitiveCategory.HEALTH, created_by=worker)
    note.set_text("Note")
    note.save()
    other = Person.objects.create(structure=a, first_name="Autre", last_name="Dossier", referent=worker)
    SensitiveNote.objects.create(
        person=other, category=SensitiveCategory.HEALTH, created_by=worker, ciphertext="x"
    )

    page, queries = _page(client, person_a)
    assert "Plan d'action (2 à faire)" in page
    assert "Informations sensibles (présentes)" in page
    counting = [q["sql"] for q in queries.captured_queries if "capped_" in q["sql"]]
    assert len(counting) == 1
    page, _ = _page(client, other)
    assert "Informations sensibles (présentes)" in page and "à faire)" not in page

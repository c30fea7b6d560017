"""The audit journal and the person's access log show events that no account wrote.

Actions taken through a no-account link (referral form, partner answer, peer roll call) and
background jobs have no actor: the pages must name them, not crash.
"""

import html

import pytest
from django.urls import reverse

from jalon.audit.actions import record
from jalon.audit.models import Action


def test_journal_shows_link_events_without_account(personas, person_a):
    record(action=Action.UPDATE, actor=None, structure=personas.structure_a, obj=person_a, via="link")
    response = personas.client_for(personas.admin_a).get(reverse("structure_audit"))
    assert response.status_code == 200
    assert "Lien sans compte" in html.unescape(response.content.decode())


@pytest.mark.parametrize(("via", "label"), [("job", "Système"), ("web", "Aucun compte connecté")])
def test_journal_names_other_events_without_account(personas, person_a, via, label):
    # A background job, or a failed login / deleted account on the web.
    record(action=Action.UPDATE, actor=None, structure=personas.structure_a, obj=person_a, via=via)
    response = personas.client_for(personas.admin_a).get(reverse("structure_audit"))
    assert response.status_code == 200
    assert label in html.unescape(response.content.decode())


def test_journal_still_names_people_with_an_account(personas, person_a):
    record(
        action=Action.READ, actor=personas.coordinator_a.user, structure=personas.structure_a, obj=person_a
    )
    response = personas.client_for(personas.admin_a).get(reverse("structure_audit"))
    assert personas.coordinator_a.user.get_full_name() in html.unescape(response.content.decode())


def test_journal_of_another_structure_is_not_shown(personas, person_a):
    record(action=Action.UPDATE, actor=None, structure=personas.structure_a, obj=person_a, via="link")
    response = personas.client_for(personas.admin_b).get(reverse("structure_audit"))
    assert response.status_code == 200
    assert "Lien sans compte" not in html.unescape(response.content.decode())


@pytest.mark.parametrize(("via", "label"), [("link", "Lien sans compte"), ("job", "Système")])
def test_person_access_log_names_events_without_account(personas, person_a, via, label):
    record(action=Action.UPDATE, actor=None, structure=personas.structure_a, obj=person_a, via=via)
    response = personas.client_for(personas.case_worker_a).get(
        reverse("person_access_log", args=[person_a.pk])
    )
    assert response.status_code == 200
    assert label in html.unescape(response.content.decode())

"""Reads that the referral pages and the API share (jalon.referrals.selectors)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jalon.referrals import selectors
from jalon.referrals.models import (
    Intake,
    Orientation,
    OrientationStatus,
    PlanAction,
    PlanAxis,
    PlanObjective,
    Referral,
    ReferralStatus,
)

pytestmark = pytest.mark.django_db


def _referral(structure, **extra):
    referral = Referral(
        structure=structure,
        source="equipe",
        first_name=extra.pop("first_name", "Adèle"),
        contact_consent_at=timezone.now(),
        consent_text_version="1",
        **extra,
    )
    referral.refresh_search_fields()
    referral.save()
    return referral


def _pks(rows):
    return {row.pk for row in rows}


def test_inbox_filters_status_assignee_and_name_inside_the_structure(personas):
    a, b = personas.structure_a, personas.structure_b
    me = personas.case_worker_a.user
    mine = _referral(a, assigned_to=me, first_name="Adèle")
    nobody = _referral(a, first_name="Bruno")
    closed = _referral(a, status=ReferralStatus.CLOSED, first_name="Chloé")
    _referral(b, first_name="Adèle")
    assert _pks(selectors.inbox(a)) == {mine.pk, nobody.pk}
    assert _pks(selectors.inbox(a, status="toutes")) == {mine.pk, nobody.pk, closed.pk}
    assert _pks(selectors.inbox(a, status=ReferralStatus.CLOSED)) == {closed.pk}
    assert _pks(selectors.inbox(a, who="moi", user=me)) == {mine.pk}
    assert _pks(selectors.inbox(a, who="personne")) == {nobody.pk}
    assert _pks(selectors.inbox(a, query="adele")) == {mine.pk}
    # An unknown status matches nothing (the API passes it through; the page's form refuses it).
    assert not selectors.inbox(a, status="inconnu").exists()
    assert not selectors.inbox(None, status="toutes").exists()


def test_welcomed_referral_is_the_structures_own(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    _referral(b, person=person_a, status=ReferralStatus.WELCOMED)
    assert selectors.welcomed_referral(person_a, a) is None
    own = _referral(a, person=person_a, status=ReferralStatus.WELCOMED)
    assert selectors.welcomed_referral(person_a, a) == own


def test_plan_and_intakes_of_a_person(personas, person_a, django_assert_max_num_queries):
    a = personas.structure_a
    old = Intake.objects.create(
        person=person_a, structure=a, held_on=timezone.localdate() - timedelta(days=9)
    )
    new = Intake.objects.create(person=person_a, structure=a)
    axis = PlanAxis.objects.create(person=person_a, structure=a, title="Emploi")
    objective = PlanObjective.objects.create(axis=axis, title="CV")
    PlanAction.objects.create(objective=objective, person=person_a, structure=a, title="Écrire")
    assert [i.pk for i in selectors.intakes_of(person_a)] == [new.pk, old.pk]
    assert selectors.latest_intake(person_a) == new
    with django_assert_max_num_queries(3):
        axes = list(selectors.plan_of(person_a))
        titles = [act.title for ax in axes for obj in ax.objectives.all() for act in obj.actions.all()]
    assert titles == ["Écrire"]


def test_open_plan_actions_of_an_owner_in_the_structure(personas, person_a):
    a = personas.structure_a
    me = personas.case_worker_a.user
    axis = PlanAxis.objects.create(person=person_a, structure=a, title="Emploi")
    objective = PlanObjective.objects.create(axis=axis, title="CV")
    today = timezone.localdate()

    def action(**extra):
        return PlanAction.objects.create(
            objective=objective, person=person_a, structure=a, title="x", **extra
        )

    soon = action(owner=me, due_on=today + timedelta(days=2))
    later = action(owner=me, due_on=today + timedelta(days=30))
    action(owner=me, due_on=today, done_at=timezone.now())
    action(owner=personas.admin_a.user, due_on=today)
    assert _pks(selectors.open_plan_actions(a, me)) == {soon.pk, later.pk}
    assert _pks(selectors.open_plan_actions(a, me, due_by=today + timedelta(days=7))) == {soon.pk}
    assert not selectors.open_plan_actions(personas.structure_b, me).exists()


def test_orientation_lists_and_waiting_counts(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    me = personas.case_worker_a.user

    def orient(**extra):
        return Orientation.objects.create(
            person=person_a,
            from_structure=a,
            from_user=me,
            target_kind="structure",
            target_structure=b,
            motive="m",
            share_contact=True,
            **extra,
        )

    waiting = orient()
    late = orient(created_at=timezone.now() - timedelta(days=11))
    refused = orient(status=OrientationStatus.REFUSED)
    assert _pks(selectors.orientations(a)) == {waiting.pk, late.pk, refused.pk}
    assert not selectors.orientations(a, received=True).exists()
    assert _pks(selectors.orientations(b, received=True, status=OrientationStatus.PROPOSED)) == {
        waiting.pk,
        late.pk,
    }
    assert not selectors.orientations(b).exists()
    assert selectors.orientations_waiting(a, me) == {"received": 0, "late": 1}
    assert selectors.orientations_waiting(b, personas.case_worker_b.user) == {"received": 2, "late": 0}
    assert selectors.orientations_waiting(None, me) == {"received": 0, "late": 0}

"""Rules of the inbox: validation, status workflow, counters, welcome and merge, intake and plan."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jalon.audit.models import Action, AuditEvent
from jalon.notifications.models import OutboxMessage
from jalon.people.models import Person, PersonEvent
from jalon.referrals import actions
from jalon.referrals.models import (
    Need,
    PlanAction,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
    Referrer,
    ReferrerKind,
)
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

VALID = {"first_name": "Inès", "phone": "06 12 34 56 78", "contact_consent": True, "needs": ["emploi"]}


def _referrer(personas, **extra):
    return actions.create_referrer(
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        data={"name": "Boulangerie du marché", "kind": ReferrerKind.SHOP, **extra},
    )


def _referral(personas, referrer=None, **data):
    return actions.create_referral(
        structure=personas.structure_a,
        referrer=referrer,
        source=ReferralSource.LINK if referrer else ReferralSource.STAFF,
        data={**VALID, **data},
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"first_name": "  "}, "first_name"),
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"contact_consent": False}, "contact_consent"),
        ({"needs": ["emploi", "voler"]}, "needs"),
    ],
)
def test_bad_referral_gets_a_french_message_and_writes_nothing(personas, data, field):
    with pytest.raises(ValidationError) as error:
        _referral(personas, **data)
    assert field in error.value.message_dict
    assert all(m[0].isupper() and m.endswith(".") for m in error.value.message_dict[field])
    assert not Referral.objects.exists() and not ReferralEvent.objects.exists()


def test_referral_is_normalised_and_consent_recorded(personas):
    referral = _referral(personas, email="Ines@Example.ORG", needs=["numerique", "emploi", "emploi"])
    assert referral.phone == "+33612345678"
    assert referral.email == "ines@example.org"
    assert referral.needs == ["emploi", "numerique"]  # the order of Need, without repeats
    assert referral.contact_consent_at is not None and referral.consent_text_version == "2026-11"
    assert referral.status == ReferralStatus.NEW
    event = AuditEvent.objects.get(object_type="referral", object_id=str(referral.pk))
    assert event.action == Action.CREATE and "Inès" not in event.detail and "phone" in event.fields


def test_workflow_refuses_skipping_steps_and_needs_a_reason_to_close(personas):
    referral = _referral(personas)
    worker, structure = personas.case_worker_a.user, personas.structure_a
    with pytest.raises(ValidationError):
        actions.change_referral_status(
            referral=referral, structure=structure, actor=worker, status="orientee"
        )
    with pytest.raises(ValidationError) as error:
        actions.change_referral_status(
            referral=referral, structure=structure, actor=worker, status="sans_suite"
        )
    assert "closed_reason" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW and referral.first_contact_at is None
    actions.change_referral_status(
        referral=referral, structure=structure, actor=worker, status="sans_suite", closed_reason="injoignable"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED and referral.closed_reason == "injoignable"
    # Reopened, then contacted: the reason goes, the first contact is set.
    actions.change_referral_status(referral=referral, structure=structure, actor=worker, status="nouvelle")
    actions.change_referral_status(referral=referral, structure=structure, actor=worker, status="contactee")
    referral.refresh_from_db()
    assert referral.closed_reason == "" and referral.first_contact_at is not None
    assert referral.assigned_to == worker  # whoever calls first takes it


def test_first_contact_is_kept_from_the_first_call(personas):
    referral = _referral(personas)
    worker, structure = personas.case_worker_a.user, personas.structure_a
    actions.change_referral_status(referral=referral, structure=structure, actor=worker, status="contactee")
    first = Referral.objects.get(pk=referral.pk).first_contact_at
    actions.change_referral_status(referral=referral, structure=structure, actor=worker, status="rdv")
    assert Referral.objects.get(pk=referral.pk).first_contact_at == first


def test_another_structure_cannot_move_a_referral(personas):
    referral = _referral(personas)
    with pytest.raises(PermissionDenied):
        actions.change_referral_status(
            referral=referral,
            structure=personas.structure_b,
            actor=personas.case_worker_b.user,
            status="contactee",
        )


def test_referrer_counters_follow_the_referrals(personas):
    referrer = _referrer(personas)
    worker, structure = personas.case_worker_a.user, personas.structure_a
    first, second, _third = (_referral(personas, referrer, phone=f"06 12 34 56 7{i}") for i in range(3))
    actions.change_referral_status(referral=first, structure=structure, actor=worker, status="contactee")
    actions.welcome_referral(referral=first, structure=structure, actor=worker, data={"last_name": "Martin"})
    actions.change_referral_status(
        referral=second, structure=structure, actor=worker, status="sans_suite", closed_reason="refus"
    )
    referrer.refresh_from_db()
    assert (referrer.referred_count, referrer.reached_count, referrer.accompanied_count) == (3, 1, 1)
    assert referrer.last_referral_at == Referral.objects.order_by("-created_at").first().created_at


@pytest.mark.parametrize("days, dormant", [(89, False), (90, True), (91, True)])
def test_a_referrer_sleeps_after_the_configured_days(personas, settings, days, dormant):
    settings.JALON_DORMANT_DAYS = 90
    referrer = _referrer(personas)
    referral = _referral(personas, referrer)
    when = timezone.now() - timedelta(days=days, seconds=1 if dormant else -60)
    Referral.objects.filter(pk=referral.pk).update(created_at=when)
    actions.refresh_referrer_counts(referrer.pk)
    referrer.refresh_from_db()
    assert referrer.is_dormant() is dormant
    assert Referrer.objects.dormant().filter(pk=referrer.pk).exists() is dormant


def test_welcome_opens_a_file_with_the_referral_details(personas):
    referral = _referral(personas, email="ines@example.org")
    person = actions.welcome_referral(
        referral=referral,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        data={"last_name": "Haddad", "birth_date": date(1990, 5, 1)},
    )
    referral.refresh_from_db()
    assert referral.person == person and referral.status == ReferralStatus.WELCOMED
    assert (person.first_name, person.last_name, person.phone, person.email) == (
        "Inès",
        "Haddad",
        "+33612345678",
        "ines@example.org",
    )
    assert person.structure == personas.structure_a and referral.first_contact_at is not None
    assert PersonEvent.objects.filter(person=person, kind="referral").exists()


def test_welcome_without_last_name_asks_for_it_and_writes_nothing(personas):
    referral = _referral(personas)
    with pytest.raises(ValidationError):
        actions.welcome_referral(
            referral=referral, structure=personas.structure_a, actor=personas.case_worker_a.user
        )
    assert not Person.objects.exists()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.NEW


def test_known_person_is_found_by_phone_email_or_name_and_birth_date_in_the_structure_only(personas):
    a, b = personas.structure_a, personas.structure_b
    by_phone = PersonFactory(structure=a, phone="+33612345678", email="")
    by_name = PersonFactory(structure=a, first_name="Inès", last_name="Haddad", birth_date=date(1990, 5, 1))
    PersonFactory(structure=a, first_name="Inès", last_name="Haddad", birth_date=date(1991, 5, 1))
    PersonFactory(structure=b, phone="+33612345678")  # another structure's file is never offered
    referral = _referral(personas, last_name="Haddad", birth_date=date(1990, 5, 1))
    assert list(actions.known_people(referral)) == [by_phone, by_name]


def test_merge_fills_what_the_file_lacks_and_never_overwrites(personas):
    person = PersonFactory(structure=personas.structure_a, phone="+33698765432", email="")
    referral = _referral(personas, email="nouvelle@example.org")
    merged = actions.welcome_referral(
        referral=referral, structure=personas.structure_a, actor=personas.case_worker_a.user, person=person
    )
    person.refresh_from_db()
    assert merged == person and Person.objects.count() == 1
    assert person.phone == "+33698765432" and person.email == "nouvelle@example.org"
    assert Referral.objects.get(pk=referral.pk).person == person


def test_merge_into_another_structures_file_is_refused(personas):
    theirs = PersonFactory(structure=personas.structure_b)
    referral = _referral(personas)
    with pytest.raises(PermissionDenied):
        actions.welcome_referral(
            referral=referral,
            structure=personas.structure_a,
            actor=personas.case_worker_a.user,
            person=theirs,
        )
    assert Referral.objects.get(pk=referral.pk).person is None


def test_intake_needs_at_least_one_domain(personas, person_a):
    with pytest.raises(ValidationError):
        actions.record_intake(person=person_a, structure=personas.structure_a, actor=None, needs=[])
    intake = actions.record_intake(
        person=person_a,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        needs=[
            {"domain": Need.DIGITAL, "priority": 1},
            {"domain": Need.HOUSING, "priority": 3, "detail": "Hébergé"},
        ],
    )
    assert [(n.domain, n.priority) for n in intake.needs.all()] == [("numerique", 1), ("logement", 3)]
    with pytest.raises(PermissionDenied):
        actions.record_intake(
            person=person_a, structure=personas.structure_b, actor=None, needs=[{"domain": "emploi"}]
        )


def test_action_plan_three_levels_and_owner_from_the_structure(personas, person_a):
    structure, worker = personas.structure_a, personas.case_worker_a.user
    axis = actions.add_plan_axis(
        person=person_a, structure=structure, actor=worker, title="Retrouver un emploi"
    )
    objective = actions.add_plan_objective(axis=axis, structure=structure, actor=worker, title="Avoir un CV")
    outsider = MembershipFactory(structure=personas.structure_b).user
    with pytest.raises(ValidationError):
        actions.add_plan_action(
            objective=objective, structure=structure, actor=worker, title="CV", owner=outsider
        )
    action = actions.add_plan_action(
        objective=objective,
        structure=structure,
        actor=worker,
        title="Atelier CV",
        due_on=date(2026, 12, 1),
        owner=worker,
    )
    assert action.person == person_a and action.structure == structure
    actions.complete_plan_action(action=action, structure=structure, actor=worker)
    assert PlanAction.objects.get(pk=action.pk).done_at is not None
    actions.complete_plan_action(action=action, structure=structure, actor=worker, done=False)
    assert PlanAction.objects.get(pk=action.pk).done_at is None


def test_new_referral_warns_the_facilitator_without_personal_data(personas):
    referrer = _referrer(personas)
    _referral(personas, referrer, first_name="Sigolène", phone="06 11 22 33 44")
    message = OutboxMessage.objects.get(purpose="referral_new")
    assert message.to == personas.case_worker_a.user.email
    assert "Sigolène" not in message.body and "06" not in message.body and "Boulangerie" in message.body

"""Entry rules, attendance, progression, exits, teams, copies and the funnel's roll-ups."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jalon.notifications.models import OutboxMessage
from jalon.people import actions as people_actions
from jalon.people.models import ConsentMethod, ConsentPurpose, PersonEvent
from jalon.programmes import actions, rollup, rules
from jalon.programmes.models import (
    Attendance,
    DirtyDay,
    EnrolmentStatus,
    EntryRule,
    RuleKind,
    StageKind,
)
from tests.factories import PersonFactory

# --- Pure rules: no database -------------------------------------------------------------------


def test_two_workshops_are_not_enough_the_third_makes_it():
    rule = rules.RuleView(kind=RuleKind.MIN_ATTENDED, count=3, of_stage_id=7, of_stage_name="Ateliers")
    two, three = rules.Facts(attended={7: 2}), rules.Facts(attended={7: 3})
    assert rules.unmet([rule], two, stage_id=8, previous_id=7) == [
        "2 séance(s) suivie(s) de « Ateliers » sur 3 demandée(s)"
    ]
    assert rules.unmet([rule], three, stage_id=8, previous_id=7) == []
    # Workshops of another stage do not count.
    assert rules.unmet([rule], rules.Facts(attended={9: 5}), stage_id=8, previous_id=7)


def test_diagnostic_invitation_and_previous_stage():
    every = [
        rules.RuleView(kind=RuleKind.DIAGNOSTIC),
        rules.RuleView(kind=RuleKind.INVITED),
        rules.RuleView(kind=RuleKind.PREVIOUS),
    ]
    nothing = rules.Facts()
    assert len(rules.unmet(every, nothing, stage_id=2, previous_id=1)) == 3
    done = rules.Facts(diagnostic_done=True, invited_to=frozenset({2}), completed=frozenset({1}))
    assert rules.unmet(every, done, stage_id=2, previous_id=1) == []
    # The first stage has no previous stage: that rule holds.
    assert rules.unmet([every[2]], nothing, stage_id=1, previous_id=None) == []


# --- With the database -------------------------------------------------------------------------


def _at(day: date, hour: int):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _programme(structure, actor):
    programme = actions.create_programme(structure=structure, actor=actor, name="Ensemble à 100 %")
    workshops = actions.add_stage(
        programme=programme,
        structure=structure,
        actor=actor,
        name="Ateliers découverte",
        kind=StageKind.WORKSHOP,
    )
    camp = actions.add_stage(
        programme=programme, structure=structure, actor=actor, name="SprintCamp", kind=StageKind.BOOTCAMP
    )
    actions.add_rule(
        stage=camp, structure=structure, actor=actor, kind=RuleKind.MIN_ATTENDED, count=3, of_stage=workshops
    )
    return programme, workshops, camp


def _workshop(structure, actor, stage, day, capacity=12):
    return actions.schedule_session(
        stage=stage, structure=structure, actor=actor, slots=[(_at(day, 9), _at(day, 12))], capacity=capacity
    )


@pytest.mark.django_db
def test_eligibility_from_recorded_attendance_and_proposals(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme, workshops, camp = _programme(a, actor)
    lina, omar = PersonFactory(structure=a), PersonFactory(structure=a)
    start = date(2027, 1, 4)
    for week in range(3):
        session = _workshop(a, actor, workshops, start + timedelta(weeks=week))
        marks = {}
        for person in (lina, omar):
            enrolment = actions.enrol(session=session, person=person, structure=a, actor=actor)
            # Omar misses the third workshop (excused does not count as attended).
            marks[enrolment.pk] = "excuse" if person == omar and week == 2 else "present"
        actions.take_attendance(slot=session.slots.get(), marks=marks, structure=a, actor=actor)
        if week == 1:
            assert rules.proposals(camp, a) == []
    assert rules.check(camp, [lina.pk, omar.pk]) == {
        lina.pk: [],
        omar.pk: ["2 séance(s) suivie(s) de « Ateliers découverte » sur 3 demandée(s)"],
    }
    assert rules.proposals(camp, a) == [lina.pk]
    camp_session = actions.schedule_session(
        stage=camp,
        structure=a,
        actor=actor,
        slots=[(_at(date(2027, 2, 1), 9), _at(date(2027, 2, 1), 17))],
        capacity=80,
    )
    with pytest.raises(ValidationError, match="2 séance"):
        actions.enrol(session=camp_session, person=omar, structure=a, actor=actor)
    # The coordination may decide otherwise; the audit says so.
    actions.enrol(session=camp_session, person=omar, structure=a, actor=actor, override=True)
    actions.enrol(session=camp_session, person=lina, structure=a, actor=actor)
    assert rules.proposals(camp, a) == []  # both are in it now
    # Another structure sees none of A's people.
    assert rules.proposals(camp, personas.structure_b) == []


@pytest.mark.django_db
def test_roll_call_upserts_and_refuses_strangers_and_bad_statuses(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    _, workshops, _ = _programme(a, actor)
    session = _workshop(a, actor, workshops, date(2027, 1, 4))
    slot = session.slots.get()
    enrolments = [
        actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=actor)
        for _ in range(3)
    ]
    marks = {e.pk: "present" for e in enrolments}
    assert actions.take_attendance(slot=slot, marks=marks, structure=a, actor=actor) == 3
    assert actions.take_attendance(slot=slot, marks=marks, structure=a, actor=actor) == 0  # nothing changed
    assert (
        actions.take_attendance(slot=slot, marks={enrolments[0].pk: "retard"}, structure=a, actor=actor) == 1
    )
    assert Attendance.objects.count() == 3
    with pytest.raises(ValidationError, match="présent"):
        actions.take_attendance(slot=slot, marks={enrolments[0].pk: "peut-etre"}, structure=a, actor=actor)
    other = _workshop(a, actor, workshops, date(2027, 1, 11))
    stranger = actions.enrol(session=other, person=PersonFactory(structure=a), structure=a, actor=actor)
    with pytest.raises(ValidationError, match="pas inscrite"):
        actions.take_attendance(slot=slot, marks={stranger.pk: "present"}, structure=a, actor=actor)
    with pytest.raises(PermissionDenied):
        actions.take_attendance(slot=slot, marks=marks, structure=personas.structure_b, actor=None)
    # A peer facilitator of the session may; another participant may not.
    peer = PersonFactory(structure=a)
    session.trainers.create(person=peer)
    assert actions.take_attendance(slot=slot, marks={enrolments[1].pk: "absent"}, peer=peer) == 1
    with pytest.raises(PermissionDenied):
        actions.take_attendance(slot=slot, marks=marks, peer=enrolments[2].person)
    assert Attendance.objects.get(enrolment=enrolments[1]).recorded_by_peer == peer


@pytest.mark.django_db
def test_funnel_moves_with_completion_exits_and_corrections(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme, workshops, camp = _programme(a, actor)
    day = date(2027, 1, 4)
    session = _workshop(a, actor, workshops, day)
    people = [PersonFactory(structure=a) for _ in range(4)]
    enrolments = [actions.enrol(session=session, person=p, structure=a, actor=actor) for p in people]
    actions.take_attendance(
        slot=session.slots.get(),
        marks={e.pk: "present" for e in enrolments[:3]} | {enrolments[3].pk: "absent"},
        structure=a,
        actor=actor,
    )
    for e in enrolments[:2]:
        actions.finish(enrolment=e, structure=a, actor=actor, ended_on=day + timedelta(days=2))
    actions.finish(enrolment=enrolments[2], structure=a, actor=actor, ended_on=day, reason="sante")
    camp_session = actions.schedule_session(
        stage=camp,
        structure=a,
        actor=actor,
        slots=[(_at(date(2027, 2, 1), 9), _at(date(2027, 2, 1), 17))],
        capacity=80,
    )
    actions.enrol(session=camp_session, person=people[0], structure=a, actor=actor, override=True)
    actions.record_exit(
        programme=programme,
        person=people[1],
        structure=a,
        actor=actor,
        category="durable",
        subtype="cdi",
        exited_on=day,
    )
    actions.record_exit(
        programme=programme,
        person=people[2],
        structure=a,
        actor=actor,
        category="autre",
        subtype="recherche",
        exited_on=day,
    )
    assert rollup.funnel(programme, day, date(2027, 3, 1)).stages[0].entered == 0  # not refreshed yet
    assert rollup.refresh() > 0
    assert not DirtyDay.objects.exists()
    figures = rollup.funnel(programme, day, date(2027, 3, 1))
    first, second = figures.stages
    assert (first.entered, first.completed, first.left) == (4, 2, 1)
    assert first.left_reasons == {"sante": 1}
    assert first.attendance_rate == 0.75
    assert first.mean_days == pytest.approx(7 / 3)  # 3, 3 and 1 days, counted inclusively
    assert (second.entered, second.conversion) == (1, 0.5)
    assert figures.dynamic_rate == 0.5 and figures.durable_rate == 0.5
    assert figures.fresh_at is not None
    # An old roll call corrected: the next refresh shows it.
    actions.take_attendance(
        slot=session.slots.get(), marks={enrolments[3].pk: "present"}, structure=a, actor=actor
    )
    rollup.refresh()
    assert rollup.funnel(programme, day, date(2027, 3, 1)).stages[0].attendance_rate == 1.0
    # A period that holds none of it.
    empty = rollup.funnel(programme, date(2026, 1, 1), date(2026, 12, 31))
    assert empty.stages[0].entered == 0 and empty.dynamic_rate is None
    # The timeline tells the pathway.
    labels = list(PersonEvent.objects.filter(person=people[1]).values_list("label", flat=True))
    assert any(label.startswith("Étape terminée : Ateliers") for label in labels)
    assert any("emploi durable — CDI" in label for label in labels)
    with pytest.raises(ValidationError, match="catégorie"):
        actions.record_exit(
            programme=programme,
            person=people[3],
            structure=a,
            actor=actor,
            category="durable",
            subtype="recherche",
            exited_on=day,
        )


@pytest.mark.django_db
def test_copy_as_template_keeps_stages_and_rules_not_sessions(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme, workshops, camp = _programme(a, actor)
    _workshop(a, actor, workshops, date(2027, 1, 4))
    copy = actions.copy_programme(
        programme=programme, structure=a, actor=actor, name="Ensemble à 100 % — Pau"
    )
    stages = list(copy.stages.order_by("position"))
    assert [s.name for s in stages] == ["Ateliers découverte", "SprintCamp"]
    rule = EntryRule.objects.get(stage=stages[1])
    assert rule.of_stage == stages[0] and rule.count == 3
    assert not any(s.sessions.exists() for s in stages)
    with pytest.raises(PermissionDenied):
        actions.copy_programme(programme=programme, structure=personas.structure_b, actor=None, name="x")
    programme.is_template = True
    programme.save()
    assert (
        actions.copy_programme(
            programme=programme, structure=personas.structure_b, actor=None, name="B"
        ).owners.get()
        == personas.structure_b
    )


@pytest.mark.django_db
def test_move_stage_swaps_neighbours(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme, workshops, camp = _programme(a, actor)
    actions.move_stage(stage=camp, structure=a, actor=actor, up=True)
    assert list(programme.stages.order_by("position").values_list("name", flat=True)) == [
        "SprintCamp",
        "Ateliers découverte",
    ]
    actions.move_stage(stage=camp, structure=a, actor=actor, up=True)  # already first: nothing
    assert programme.stages.order_by("position").first() == camp


@pytest.mark.django_db
def test_teams_are_balanced_in_size_and_mix_profiles(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    _, _, camp = _programme(a, actor)
    session = actions.schedule_session(
        stage=camp,
        structure=a,
        actor=actor,
        slots=[(_at(date(2027, 2, 1), 9), _at(date(2027, 2, 1), 17))],
        capacity=80,
    )
    for i in range(23):
        person = PersonFactory(structure=a, gender="F" if i % 3 else "H")
        actions.enrol(session=session, person=person, structure=a, actor=actor, check_rules=False)
    teams = actions.split_teams(session=session, structure=a, actor=actor, teams=4)
    sizes = sorted(t.members.count() for t in teams)
    assert sizes == [5, 6, 6, 6]
    men = [t.members.filter(person__gender="H").count() for t in teams]
    assert max(men) - min(men) <= 1
    with pytest.raises(ValidationError):
        actions.split_teams(session=session, structure=a, actor=actor, teams=1)


@pytest.mark.django_db
def test_invitation_writes_with_ics_and_makes_the_invited_rule_hold(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme, workshops, camp = _programme(a, actor)
    EntryRule.objects.filter(stage=camp).delete()
    actions.add_rule(stage=camp, structure=a, actor=actor, kind=RuleKind.INVITED)
    session = actions.schedule_session(
        stage=camp,
        structure=a,
        actor=actor,
        slots=[(_at(date(2027, 2, 1), 9), _at(date(2027, 2, 1), 12))],
        capacity=80,
        place="Tiers-lieu",
    )
    person = PersonFactory(structure=a, email="lina@example.org", phone="0612345678")
    for purpose in (ConsentPurpose.CONTACT_EMAIL, ConsentPurpose.CONTACT_SMS):
        people_actions.give_consent(
            person=person, structure=a, actor=actor, purpose=purpose, method=ConsentMethod.ORAL
        )
    assert rules.check(camp, [person.pk])[person.pk] == ["pas encore invitée par la coordination"]
    _, sent = actions.invite(session=session, person=person, structure=a, actor=actor)
    assert sent == 2
    email = OutboxMessage.objects.get(channel="email", purpose="parcours_invitation")
    assert email.attachments[0]["content"].count("BEGIN:VEVENT") == 1
    assert "Tiers-lieu" in email.body and "/inscription/" in email.body
    assert rules.check(camp, [person.pk])[person.pk] == []
    enrolment = actions.enrol(session=session, person=person, structure=a, actor=actor)
    assert actions.send_reminders(today=date(2027, 1, 30)) == 2
    assert actions.send_reminders(today=date(2027, 1, 30)) == 2  # same dedupe keys: no new message
    assert OutboxMessage.objects.filter(purpose="parcours_rappel").count() == 2
    assert enrolment.status == EnrolmentStatus.ENROLLED


@pytest.mark.django_db
def test_a_person_counts_once_per_stage_even_after_a_backdated_enrolment(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme, workshops, camp = _programme(a, actor)
    lina = PersonFactory(structure=a)
    days = [date(2027, 3, 1), date(2027, 3, 8), date(2027, 3, 15)]
    for day in days:
        session = _workshop(a, actor, workshops, day)
        enrolment = actions.enrol(session=session, person=lina, structure=a, actor=actor)
        actions.finish(enrolment=enrolment, structure=a, actor=actor, ended_on=day)
    camp_session = actions.schedule_session(
        stage=camp,
        structure=a,
        actor=actor,
        slots=[(_at(date(2027, 4, 5), 9), _at(date(2027, 4, 5), 17))],
        capacity=80,
    )
    actions.enrol(session=camp_session, person=lina, structure=a, actor=actor, check_rules=False)
    rollup.refresh()
    first, second = rollup.funnel(programme, date(2027, 3, 1), date(2027, 4, 30)).stages
    assert (first.entered, first.people_entered, first.completed, first.people_completed) == (3, 1, 3, 1)
    assert (second.people_entered, second.conversion) == (1, 1.0)
    # March alone from the 8th: her first workshop was before, so she did not enter in that period.
    assert rollup.funnel(programme, date(2027, 3, 8), date(2027, 3, 31)).stages[0].people_entered == 0
    # A workshop recorded late, in February: it becomes her first entry; March's roll-up follows.
    early = _workshop(a, actor, workshops, date(2027, 2, 22))
    actions.enrol(session=early, person=lina, structure=a, actor=actor)
    rollup.refresh()
    assert rollup.funnel(programme, date(2027, 3, 1), date(2027, 3, 31)).stages[0].people_entered == 0
    assert rollup.funnel(programme, date(2027, 2, 1), date(2027, 3, 31)).stages[0].people_entered == 1


@pytest.mark.django_db
def test_the_person_promoted_from_the_waiting_list_is_told(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    _, workshops, _ = _programme(a, actor)
    session = _workshop(a, actor, workshops, date(2027, 1, 4), capacity=1)
    first, second = PersonFactory(structure=a), PersonFactory(structure=a, phone="0612345678")
    people_actions.give_consent(
        person=second, structure=a, actor=actor, purpose=ConsentPurpose.CONTACT_SMS, method=ConsentMethod.ORAL
    )
    seat = actions.enrol(session=session, person=first, structure=a, actor=actor)
    actions.enrol(session=session, person=second, structure=a, actor=actor)
    actions.cancel(enrolment=seat, structure=a, actor=actor)
    sms = OutboxMessage.objects.get(purpose="parcours_place")
    assert sms.body.startswith(f"Bonjour {second.first_name}, une place s'est libérée")
    assert PersonEvent.objects.filter(person=second, label__startswith="Une place s'est libérée").exists()

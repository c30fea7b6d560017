"""Agenda rules: rota, free slots, booking races, invitations with .ics, J-2 reminders, outcomes, links."""

from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from icalendar import Calendar

from jalon.agenda import actions, links
from jalon.agenda.models import Appointment, AppointmentKind, Outcome, Participant, Permanence
from jalon.audit.models import AuditEvent
from jalon.links import LinkError
from jalon.notifications import actions as outbox
from jalon.notifications.models import MAX_ATTEMPTS, MessageStatus, OutboxMessage
from jalon.people import actions as people_actions
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.referrals import actions as referral_actions
from jalon.referrals.models import ReferralSource, ReferralStatus
from tests.factories import PersonFactory, StructureFactory

pytestmark = pytest.mark.django_db


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def next_weekday(weekday: int, after: date | None = None) -> date:
    day = (after or timezone.localdate()) + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


class BrokenSmsBackend:
    def send(self, *, to, body):
        raise ConnectionError("fournisseur SMS indisponible")


@pytest.fixture
def place(personas):
    personas.structure_a.phone = "+33549000000"
    personas.structure_a.save()
    return actions.create_place(
        structure=personas.structure_a,
        actor=personas.admin_a.user,
        name="Tiers-lieu",
        address="1 rue de la Gare",
    )


@pytest.fixture
def permanence(personas, place):
    return actions.add_permanence(
        place=place,
        structure=personas.structure_a,
        actor=personas.admin_a.user,
        data={
            "host": personas.structure_a,
            "label": "Permanence numérique",
            "weekday": 1,
            "start_time": time(9, 0),
            "end_time": time(11, 0),
            "slot_minutes": 30,
            "valid_from": timezone.localdate() - timedelta(days=30),
        },
    )


@pytest.fixture
def referral(personas):
    return referral_actions.create_referral(
        structure=personas.structure_a,
        referrer=None,
        source=ReferralSource.STAFF,
        data={
            "first_name": "Inès",
            "phone": "06 12 34 56 78",
            "email": "ines@example.org",
            "contact_consent": True,
        },
    )


def _appointment(personas, starts_at, **extra):
    return actions.schedule(
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        title=extra.pop("title", "Premier accueil"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        **extra,
    )


def test_a_partner_may_hold_a_permanence_an_unknown_structure_may_not(personas, place):
    data = {
        "label": "France Travail",
        "weekday": 3,
        "start_time": time(14, 0),
        "end_time": time(17, 0),
        "slot_minutes": 30,
        "valid_from": timezone.localdate(),
    }
    held = actions.add_permanence(
        place=place, structure=personas.structure_a, actor=None, data={**data, "host": personas.structure_b}
    )
    assert held.host == personas.structure_b
    stranger = StructureFactory(name="Sans lien")
    with pytest.raises(ValidationError) as error:
        actions.add_permanence(
            place=place,
            structure=personas.structure_a,
            actor=None,
            data={**data, "weekday": 4, "host": stranger},
        )
    assert "partenaire" in str(error.value)
    with pytest.raises(ValidationError) as error:  # same place, same day, overlapping hours
        actions.add_permanence(
            place=place,
            structure=personas.structure_a,
            actor=None,
            data={**data, "start_time": time(16, 0), "end_time": time(18, 0), "host": personas.structure_a},
        )
    assert "occupe déjà" in str(error.value)
    with pytest.raises(PermissionDenied):  # only the place's owner keeps its rota
        actions.add_permanence(
            place=place,
            structure=personas.structure_b,
            actor=None,
            data={**data, "weekday": 5, "host": personas.structure_b},
        )
    assert Permanence.objects.count() == 1


def test_slots_follow_the_rota_and_skip_booked_and_past_ones(personas, permanence, referral):
    tuesday = next_weekday(1)
    slots = actions.free_slots(personas.structure_a, start=tuesday, days=1)
    assert [s.starts_at for s in slots] == [
        local(tuesday, 9),
        local(tuesday, 9, 30),
        local(tuesday, 10),
        local(tuesday, 10, 30),
    ]
    slot = slots[1]
    appointment = _appointment(personas, slot.starts_at, permanence=permanence)
    assert appointment.place == permanence.place
    left = actions.free_slots(personas.structure_a, start=tuesday, days=1)
    assert slot.starts_at not in [s.starts_at for s in left] and len(left) == 3
    # A cancelled appointment gives its slot back.
    actions.cancel_appointment(appointment=appointment, structure=personas.structure_a, actor=None)
    assert len(actions.free_slots(personas.structure_a, start=tuesday, days=1)) == 4
    # Once the permanence ends, no more slots.
    actions.end_permanence(
        permanence=permanence,
        structure=personas.structure_a,
        actor=None,
        last_day=tuesday - timedelta(days=1),
    )
    assert actions.free_slots(personas.structure_a, start=tuesday, days=1) == []
    # The partner structure sees none of A's slots.
    assert actions.free_slots(personas.structure_b, start=tuesday, days=7) == []


def test_a_slot_is_booked_once(personas, permanence):
    starts_at = local(next_weekday(1), 9)
    _appointment(personas, starts_at, permanence=permanence)
    with pytest.raises(ValidationError) as error:
        _appointment(personas, starts_at, permanence=permanence)
    assert "vient d'être réservé" in str(error.value)
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "key",
    ["", "abc", "1:2:3", "999999:1700000000", "{perm}:{off_grid}", "{perm}:{past}", "{perm}:99999999999999"],
)
def test_a_forged_slot_is_refused_in_french(personas, permanence, key):
    tuesday = next_weekday(1)
    key = key.format(
        perm=permanence.pk,
        off_grid=int(local(tuesday, 9, 10).timestamp()),
        past=int(local(tuesday - timedelta(days=7 * 5), 9).timestamp()),
    )
    with pytest.raises(ValidationError) as error:
        actions.parse_slot(personas.structure_a, key)
    assert "créneau" in str(error.value)


def test_schedule_validates_in_french_and_writes_nothing(personas, place):
    start = local(timezone.localdate() + timedelta(days=3), 14)
    other_place = actions.create_place(structure=personas.structure_b, actor=None, name="Ailleurs")
    with pytest.raises(ValidationError) as error:
        actions.schedule(
            structure=personas.structure_a,
            actor=None,
            title=" ",
            starts_at=start,
            ends_at=start - timedelta(minutes=5),
            place=other_place,
        )
    assert set(error.value.message_dict) == {"title", "ends_at", "place"}
    assert Appointment.objects.count() == 0


def test_invitation_by_sms_and_email_with_an_ics_file(personas, place, referral):
    starts_at = local(timezone.localdate() + timedelta(days=5), 10)
    appointment = _appointment(personas, starts_at, place=place)
    participant = actions.add_participant(
        appointment=appointment,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        referral=referral,
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.APPOINTMENT
    outbox.deliver_due()
    messages = OutboxMessage.objects.filter(purpose="rdv_invitation").order_by("channel")
    assert [m.channel for m in messages] == ["email", "sms"]
    assert all(m.status == MessageStatus.SENT for m in messages)
    sms = messages.get(channel="sms")
    assert "Inès" in sms.body and "Tiers-lieu" in sms.body and "05 49 00 00 00" in sms.body
    email = mail.outbox[-1]
    filename, content, mimetype = email.attachments[0]
    assert (filename, mimetype) == ("rendez-vous.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == starts_at
    assert event.decoded("dtend") == starts_at + timedelta(minutes=45)
    assert "Tiers-lieu" in str(event["location"])
    participant.refresh_from_db()
    assert participant.invited_at is not None


def test_a_file_is_written_to_only_on_the_channels_it_agreed_to(personas, place, person_a):
    person_a.phone, person_a.email = "+33611223344", "p@example.org"
    person_a.save()
    appointment = _appointment(personas, local(timezone.localdate() + timedelta(days=5), 10), place=place)
    actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, person=person_a
    )
    assert not OutboxMessage.objects.exists()
    people_actions.give_consent(
        person=person_a,
        structure=personas.structure_a,
        actor=None,
        purpose=ConsentPurpose.CONTACT_SMS,
        method=ConsentMethod.ORAL,
    )
    other = _appointment(personas, local(timezone.localdate() + timedelta(days=6), 10), place=place)
    actions.add_participant(appointment=other, structure=personas.structure_a, actor=None, person=person_a)
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["sms"]


def test_capacity_and_ownership(personas, place, person_a, referral):
    appointment = _appointment(
        personas,
        local(timezone.localdate() + timedelta(days=4), 14),
        kind=AppointmentKind.COLLECTIVE,
        capacity=1,
        title="Information collective",
    )
    actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, person=person_a, invite=False
    )
    with pytest.raises(ValidationError) as error:
        actions.add_participant(
            appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
        )
    assert "complet" in str(error.value)
    with pytest.raises(PermissionDenied):
        actions.add_participant(
            appointment=appointment, structure=personas.structure_b, actor=None, person=person_a
        )


def test_reminder_j2_is_sent_once_even_if_the_job_runs_twice(personas, place, referral):
    now = timezone.now()
    appointment = _appointment(personas, now + timedelta(days=5), place=place)
    participant = actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
    )
    assert actions.send_reminders(now=now) == {"reminded": 0, "skipped": 0}  # five days ahead: not yet
    later = now + timedelta(days=3, hours=1)  # 47 hours before
    assert actions.send_reminders(now=later) == {"reminded": 1, "skipped": 0}
    assert actions.send_reminders(now=later) == {"reminded": 0, "skipped": 0}
    assert actions.send_reminders(now=later + timedelta(hours=1)) == {"reminded": 0, "skipped": 0}
    reminders = OutboxMessage.objects.filter(purpose="rdv_rappel")
    assert reminders.count() == 2  # one SMS, one e-mail
    assert all("rappel" in m.body for m in reminders)
    participant.refresh_from_db()
    assert participant.reminded_at == later


def test_no_reminder_for_a_late_booking_a_cancelled_or_a_past_appointment(
    personas, place, referral, person_a
):
    now = timezone.now()
    soon = _appointment(personas, now + timedelta(hours=30), place=place)
    actions.add_participant(appointment=soon, structure=personas.structure_a, actor=None, referral=referral)
    cancelled = _appointment(personas, now + timedelta(days=4), place=place)
    actions.add_participant(
        appointment=cancelled, structure=personas.structure_a, actor=None, person=person_a, invite=False
    )
    actions.cancel_appointment(appointment=cancelled, structure=personas.structure_a, actor=None)
    result = actions.send_reminders(now=now + timedelta(days=3))
    assert result == {"reminded": 0, "skipped": 0}  # soon is past by then; cancelled never reminded
    assert actions.send_reminders(now=now) == {"reminded": 0, "skipped": 1}
    assert not OutboxMessage.objects.filter(purpose="rdv_rappel").exists()


def test_a_failing_sms_provider_is_retried_then_shown_failed_and_nothing_is_lost(personas, place, referral):
    now = timezone.now()
    referral.email = ""
    referral.save()
    appointment = _appointment(personas, now + timedelta(days=5), place=place)
    with mock.patch("jalon.notifications.actions.get_backend", return_value=BrokenSmsBackend()):
        actions.add_participant(
            appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
        )
        actions.send_reminders(now=now + timedelta(days=3, hours=1))
        outbox.deliver_due()
        messages = OutboxMessage.objects.filter(channel="sms")
        assert {m.purpose for m in messages} == {"rdv_invitation", "rdv_rappel"}
        assert all(m.status == MessageStatus.RETRYING for m in messages)
        for _ in range(MAX_ATTEMPTS):
            OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
            outbox.deliver_due()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.FAILED}
    assert "indisponible" in OutboxMessage.objects.first().last_error
    # The job run again does not queue a second reminder.
    actions.send_reminders(now=now + timedelta(days=3, hours=2))
    assert OutboxMessage.objects.filter(purpose="rdv_rappel").count() == 1


def test_outcomes(personas, place, person_a):
    now = timezone.now()
    appointment = _appointment(personas, now + timedelta(days=1), place=place)
    participant = actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, person=person_a, invite=False
    )
    with pytest.raises(ValidationError) as error:
        actions.record_outcome(
            participant=participant, structure=personas.structure_a, actor=None, outcome=Outcome.SEEN
        )
    assert "une fois le rendez-vous commencé" in str(error.value)
    # The person calls to excuse themself beforehand: allowed.
    actions.record_outcome(
        participant=participant, structure=personas.structure_a, actor=None, outcome=Outcome.EXCUSED
    )
    actions.record_outcome(
        participant=participant,
        structure=personas.structure_a,
        actor=None,
        outcome=Outcome.ABSENT,
        now=now + timedelta(days=1, minutes=10),
    )
    participant.refresh_from_db()
    assert participant.outcome == Outcome.ABSENT
    assert person_a.events.filter(kind="appointment_outcome").count() == 2
    with pytest.raises(ValidationError):
        actions.record_outcome(
            participant=participant, structure=personas.structure_a, actor=None, outcome="parti"
        )
    with pytest.raises(PermissionDenied):
        actions.record_outcome(
            participant=participant, structure=personas.structure_b, actor=None, outcome=Outcome.SEEN
        )
    assert AuditEvent.objects.filter(object_type="participant", person=person_a).count() >= 3


def test_cancellation_tells_the_participants(personas, place, referral):
    appointment = _appointment(personas, timezone.now() + timedelta(days=3), place=place)
    actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
    )
    actions.cancel_appointment(appointment=appointment, structure=personas.structure_a, actor=None)
    actions.cancel_appointment(
        appointment=appointment, structure=personas.structure_a, actor=None
    )  # twice: once
    cancellations = OutboxMessage.objects.filter(purpose="rdv_annulation")
    assert cancellations.count() == 2
    assert "annulé" in cancellations.get(channel="sms").body
    ics = cancellations.get(channel="email").attachments[0]["content"]
    assert "STATUS:CANCELLED" in ics and "METHOD:CANCEL" in ics


def test_self_booking_link(personas, permanence, referral):
    token = links.booking_token(structure=personas.structure_a, referral=referral)
    booker = links.resolve_booking(token)
    slots = actions.free_slots(personas.structure_a, start=timezone.localdate(), days=21, self_booking=True)
    participant = actions.book_from_link(booker=booker, slot_key=slots[0].key)
    assert participant.booked_by_self and participant.referral == referral
    assert participant.appointment.permanence == permanence
    with pytest.raises(ValidationError) as error:  # one upcoming appointment per link
        actions.book_from_link(booker=booker, slot_key=slots[1].key)
    assert "déjà un rendez-vous" in str(error.value)


def test_self_booking_link_refusals(personas, permanence, referral):
    token = links.booking_token(structure=personas.structure_a, referral=referral)
    with pytest.raises(LinkError) as error:
        links.resolve_booking(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    assert error.value.reason == "altere"
    with mock.patch("django.core.signing.time.time", return_value=timezone.now().timestamp() + 15 * 86400):
        with pytest.raises(LinkError) as error:
            links.resolve_booking(token)
    assert error.value.reason == "expire"
    referral_actions.change_referral_status(
        referral=referral,
        structure=personas.structure_a,
        actor=None,
        status=ReferralStatus.CLOSED,
        closed_reason="injoignable",
    )
    with pytest.raises(LinkError) as error:
        actions.booking_subject(links.resolve_booking(token))
    assert error.value.reason == "revoque"
    # A slot that is not self-bookable is refused even with a good link.
    Permanence.objects.update(self_booking=False)
    fresh = links.booking_token(structure=personas.structure_a, person=None, referral=None)
    with pytest.raises(LinkError):
        actions.booking_subject(links.resolve_booking(fresh))
    assert not Participant.objects.exists()


@override_settings(SITE_URL="https://jalon.example.org")
def test_send_booking_link(personas, referral):
    sent = actions.send_booking_link(
        structure=personas.structure_a, actor=personas.case_worker_a.user, referral=referral
    )
    assert sent == 2
    sms = OutboxMessage.objects.get(channel="sms", purpose="rdv_lien")
    assert "https://jalon.example.org/rdv/" in sms.body


# --- Past dates, appointments already held, changes ---------------------------------------------


def test_a_past_date_is_refused_and_nothing_is_written_or_sent(personas, place, referral):
    today = timezone.localdate()
    now = local(today, 10)  # 10:00 in Paris
    events = AuditEvent.objects.count()
    for starts_at in (
        local(today, 9, 30),  # earlier today, Paris time
        (now - timedelta(minutes=1)).astimezone(UTC),  # the same instant written in UTC
        now - timedelta(days=30),
    ):
        with pytest.raises(ValidationError) as error:
            actions.schedule(
                structure=personas.structure_a,
                actor=None,
                title="Premier accueil",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=45),
                place=place,
                now=now,
            )
        assert "déjà passée" in error.value.message_dict["starts_at"][0]
    assert not Appointment.objects.exists() and not OutboxMessage.objects.exists()
    assert AuditEvent.objects.count() == events
    # Later the same day is to come: accepted.
    later = actions.schedule(
        structure=personas.structure_a,
        actor=None,
        title="Premier accueil",
        starts_at=local(today, 10, 30),
        ends_at=local(today, 11),
        now=now,
    )
    assert later.pk


def test_an_appointment_already_held_is_noted_and_nothing_is_sent(personas, place, person_a, referral):
    people_actions.give_consent(
        person=person_a,
        structure=personas.structure_a,
        actor=None,
        purpose=ConsentPurpose.CONTACT_SMS,
        method=ConsentMethod.ORAL,
    )
    worker = personas.case_worker_a.user
    held = timezone.now() - timedelta(days=1)
    participant = actions.record_past_appointment(
        structure=personas.structure_a,
        actor=worker,
        title="Accueil sans rendez-vous",
        starts_at=held,
        ends_at=held + timedelta(minutes=30),
        person=person_a,
        place=place,
    )
    assert participant.outcome == Outcome.SEEN and participant.invited_at is None
    from_referral = actions.record_past_appointment(
        structure=personas.structure_a,
        actor=worker,
        title="Appel",
        starts_at=held,
        ends_at=held + timedelta(minutes=15),
        referral=referral,
        outcome=Outcome.NOT_HELD,
    )
    assert from_referral.outcome == Outcome.NOT_HELD
    assert not OutboxMessage.objects.exists()
    assert person_a.events.filter(kind="appointment", label__startswith="Rendez-vous passé noté").exists()
    assert AuditEvent.objects.filter(object_type="appointment", action="create").count() == 2
    # Nor is it a back door to an invitation: a date to come is refused, and writes nothing.
    soon = timezone.now() + timedelta(hours=2)
    with pytest.raises(ValidationError) as error:
        actions.record_past_appointment(
            structure=personas.structure_a,
            actor=worker,
            title="Plus tard",
            starts_at=soon,
            ends_at=soon + timedelta(minutes=30),
            person=person_a,
        )
    assert "pas encore eu lieu" in str(error.value)
    assert Appointment.objects.count() == 2
    # The J-2 job never writes about it.
    assert actions.send_reminders() == {"reminded": 0, "skipped": 0}


def test_an_appointment_that_did_not_take_place(personas, place, person_a):
    now = timezone.now()
    appointment = _appointment(personas, now + timedelta(days=1), place=place)
    participant = actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, person=person_a, invite=False
    )
    with pytest.raises(ValidationError):  # not before it was due
        actions.record_outcome(
            participant=participant, structure=personas.structure_a, actor=None, outcome=Outcome.NOT_HELD
        )
    actions.record_outcome(
        participant=participant,
        structure=personas.structure_a,
        actor=None,
        outcome=Outcome.NOT_HELD,
        now=now + timedelta(days=1, hours=1),
    )
    participant.refresh_from_db()
    assert participant.outcome == "non_tenu" and participant.get_outcome_display() == "N'a pas eu lieu"
    assert person_a.events.filter(label__contains="n'a pas eu lieu").exists()


def test_moving_an_appointment_tells_the_person_once_and_the_reminder_follows(personas, place, referral):
    now = timezone.now()
    appointment = _appointment(personas, now + timedelta(days=5), place=place)
    participant = actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
    )
    # Reminded two days before the first date…
    assert actions.send_reminders(now=now + timedelta(days=3, hours=1))["reminded"] == 1
    other_place = actions.create_place(structure=personas.structure_a, actor=None, name="Mairie annexe")
    new_start = now + timedelta(days=8)
    worker = personas.case_worker_a.user
    change = {
        "appointment": appointment,
        "structure": personas.structure_a,
        "actor": worker,
        "starts_at": new_start,
        "ends_at": new_start + timedelta(minutes=45),
        "place": other_place,
        "organiser": personas.coordinator_a.user,
        "now": now + timedelta(days=3, hours=2),
    }
    changed = actions.update_appointment(**change)
    assert set(changed) == {"starts_at", "ends_at", "place", "organiser", "version"}
    told = OutboxMessage.objects.filter(purpose="rdv_modification")
    assert told.count() == 2  # one SMS, one e-mail
    sms = told.get(channel="sms")
    assert "Mairie annexe" in sms.body and "Inès" in sms.body
    assert "Tiers-lieu" not in sms.body
    ics = told.get(channel="email").attachments[0]["content"]
    assert "SEQUENCE:2" in ics  # calendars replace the first invitation
    event = AuditEvent.objects.filter(object_type="appointment", action="update").latest("pk")
    assert "starts_at" in event.fields and event.actor == worker
    # Saving the same values again changes nothing and sends nothing more.
    assert actions.update_appointment(**change) == []
    assert told.count() == 2
    # …and reminded again two days before the new date, not at the old one.
    participant.refresh_from_db()
    assert participant.reminded_at is None
    assert actions.send_reminders(now=now + timedelta(days=5, hours=1))["reminded"] == 0
    assert actions.send_reminders(now=now + timedelta(days=6, hours=1))["reminded"] == 1
    # A change of staff only is not something to tell the person.
    actions.update_appointment(
        appointment=appointment, structure=personas.structure_a, actor=worker, organiser=worker
    )
    assert told.count() == 2


def test_a_change_is_checked_in_french_and_writes_nothing(personas, place, person_a, referral):
    now = timezone.now()
    appointment = _appointment(personas, now + timedelta(days=5), place=place)
    actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
    )
    elsewhere = actions.create_place(structure=personas.structure_b, actor=None, name="Chez B")
    before = (Appointment.objects.get().starts_at, OutboxMessage.objects.count(), AuditEvent.objects.count())
    past = now - timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        actions.update_appointment(
            appointment=appointment, structure=personas.structure_a, actor=None, starts_at=past
        )
    assert "déjà passée" in str(error.value)
    with pytest.raises(ValidationError) as error:
        actions.update_appointment(
            appointment=appointment,
            structure=personas.structure_a,
            actor=None,
            organiser=personas.case_worker_b.user,
            place=elsewhere,
        )
    assert set(error.value.message_dict) == {"organiser", "place"}
    with pytest.raises(PermissionDenied):
        actions.update_appointment(
            appointment=appointment,
            structure=personas.structure_b,
            actor=None,
            starts_at=now + timedelta(days=6),
        )
    after = (Appointment.objects.get().starts_at, OutboxMessage.objects.count(), AuditEvent.objects.count())
    assert after == before
    actions.cancel_appointment(appointment=appointment, structure=personas.structure_a, actor=None)
    with pytest.raises(ValidationError) as error:
        actions.update_appointment(
            appointment=appointment,
            structure=personas.structure_a,
            actor=None,
            starts_at=now + timedelta(days=6),
        )
    assert "annulé" in str(error.value)


def test_a_past_appointment_is_corrected_without_moving_it_to_come_or_telling_anyone(
    personas, person_a, referral
):
    held = timezone.now() - timedelta(days=2)
    participant = actions.record_past_appointment(
        structure=personas.structure_a,
        actor=None,
        title="Accueil",
        starts_at=held,
        ends_at=held + timedelta(minutes=30),
        referral=referral,
    )
    appointment = participant.appointment
    with pytest.raises(ValidationError) as error:
        actions.update_appointment(
            appointment=appointment,
            structure=personas.structure_a,
            actor=None,
            starts_at=timezone.now() + timedelta(days=1),
        )
    assert "déjà eu lieu" in str(error.value)
    actions.update_appointment(
        appointment=appointment,
        structure=personas.structure_a,
        actor=None,
        starts_at=held - timedelta(hours=1),
    )
    assert not OutboxMessage.objects.exists()


def test_the_person_of_an_individual_appointment_can_change(personas, place, person_a, referral):
    now = timezone.now()
    appointment = _appointment(personas, now + timedelta(days=5), place=place)
    actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
    )
    people_actions.give_consent(
        person=person_a,
        structure=personas.structure_a,
        actor=None,
        purpose=ConsentPurpose.CONTACT_SMS,
        method=ConsentMethod.ORAL,
    )
    changed = actions.update_appointment(
        appointment=appointment, structure=personas.structure_a, actor=None, person=person_a
    )
    assert changed == ["participant"]
    assert [p.person for p in appointment.participants.all()] == [person_a]
    # The one who was expected hears it is off; the new one gets the invitation (SMS: its consent).
    assert OutboxMessage.objects.filter(purpose="rdv_annulation", to=referral.phone).exists()
    assert OutboxMessage.objects.filter(purpose="rdv_invitation", to=person_a.phone).count() == 1
    stranger = PersonFactory(structure=personas.structure_b)
    with pytest.raises(PermissionDenied):
        actions.update_appointment(
            appointment=appointment, structure=personas.structure_a, actor=None, person=stranger
        )
    assert [p.person for p in appointment.participants.all()] == [person_a]

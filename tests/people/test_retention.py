"""Retention (CNIL): notice once 30 days before, anonymisation, spared when touched, purges, dry run."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jalon.audit.models import AuditEvent
from jalon.notifications.models import MessageStatus, OutboxMessage
from jalon.people import erasure, retention
from jalon.people.models import Person, PersonEvent, SensitiveCategory, SensitiveNote
from jalon.referrals.models import Referral, ReferralSource, ReferralStatus
from jalon.structures.models import Structure
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _old_person(personas, *, months=25, **extra):
    """A file of structure A whose every date is `months` months old."""
    then = retention.months_before(timezone.now(), months)
    person = PersonFactory(
        structure=personas.structure_a,
        referent=personas.case_worker_a.user,
        email="awa@example.org",
        birth_date=date(1990, 3, 14),
        **extra,
    )
    Person.objects.filter(pk=person.pk).update(created_at=then, updated_at=then, last_contact_at=then)
    PersonEvent.objects.create(person=person, kind="created", label="Dossier créé", occurred_at=then)
    person.refresh_from_db()
    return person


def _notices():
    return OutboxMessage.objects.filter(purpose="retention_notice")


@pytest.mark.parametrize("months", [11, 37, None])
def test_the_setting_is_bounded_by_law_with_a_french_message(months):
    with pytest.raises(ValueError, match="entre 12 et 36 mois"):
        retention.check_retention_months(months)


@pytest.mark.parametrize("months", [12, 24, 36])
def test_the_bounds_themselves_are_allowed(months):
    assert retention.check_retention_months(months) == months


def test_the_default_is_24_months(personas):
    assert Structure.objects.get(pk=personas.structure_a.pk).retention_months == 24


def test_months_before_keeps_the_day_or_falls_back_to_the_months_end():
    moment = timezone.now().replace(year=2026, month=3, day=31)
    assert retention.months_before(moment, 1).date() == date(2026, 2, 28)
    assert retention.months_before(moment, 24).date() == date(2024, 3, 31)


def test_the_referent_is_warned_once_30_days_before(personas):
    # 23 months and a half without contact: within the 30 days before the 24-month limit.
    person = _old_person(personas, months=24)
    Person.objects.filter(pk=person.pk).update(
        last_contact_at=retention.months_before(timezone.now(), 24) + timedelta(days=10)
    )
    PersonEvent.objects.filter(person=person).update(occurred_at=timezone.now() - timedelta(days=700))
    report = retention.run()
    assert report["notices"][personas.structure_a.pk] == 1
    assert report["anonymised"][personas.structure_a.pk] == 0
    notice = _notices().get()
    assert notice.to == personas.case_worker_a.user.email
    # No name in the message: the file's number and a link.
    assert person.last_name not in notice.body and person.first_name not in notice.body
    assert f"/personnes/{person.pk}/" in notice.body
    # Sent once: the next days' runs send nothing more, and do not anonymise before 30 days.
    for days in (1, 29):
        report = retention.run(now=timezone.now() + timedelta(days=days))
        assert sum(report["notices"].values()) == 0
        assert sum(report["anonymised"].values()) == 0
    assert _notices().count() == 1
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_a_file_past_the_limit_is_anonymised_30_days_after_the_notice(personas):
    person = _old_person(personas)
    retention.run()
    person.refresh_from_db()
    assert person.retention_notice_at is not None and person.anonymised_at is None
    report = retention.run(now=timezone.now() + timedelta(days=31))
    assert report["anonymised"][personas.structure_a.pk] == 1
    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert person.first_name == erasure.ANONYMOUS_NAME


def test_a_file_touched_after_the_notice_is_spared_and_warned_again_later(personas):
    person = _old_person(personas)
    retention.run()
    # Someone records a contact: a timeline line (any meaningful event counts).
    PersonEvent.objects.create(person=person, kind="updated", label="Dossier mis à jour")
    report = retention.run(now=timezone.now() + timedelta(days=31))
    assert sum(report["anonymised"].values()) == 0
    person.refresh_from_db()
    assert person.anonymised_at is None
    # Two years later without contact, a new notice goes out.
    later = timezone.now() + timedelta(days=31 + 2 * 366)
    assert retention.run(now=later)["notices"][personas.structure_a.pk] == 1
    assert _notices().count() == 2


def test_the_structure_setting_decides(personas):
    person = _old_person(personas, months=13)
    assert sum(retention.run(dry_run=True)["notices"].values()) == 0
    Structure.objects.filter(pk=personas.structure_a.pk).update(retention_months=12)
    assert retention.run(dry_run=True)["notices"][personas.structure_a.pk] == 1
    assert person.pk


def test_the_dry_run_writes_nothing(personas):
    noticed = _old_person(personas)
    retention.run()
    _old_person(personas)  # another file, due for its notice
    AuditEvent.objects.create(action="read", at=timezone.now() - timedelta(days=400))
    before = (AuditEvent.objects.count(), OutboxMessage.objects.count(), PersonEvent.objects.count())
    report = retention.run(dry_run=True, now=timezone.now() + timedelta(days=31))
    assert report["anonymised"][personas.structure_a.pk] == 1
    assert report["notices"][personas.structure_a.pk] == 1
    assert sum(report["audit"].values()) >= 1
    after = (AuditEvent.objects.count(), OutboxMessage.objects.count(), PersonEvent.objects.count())
    assert after == before
    noticed.refresh_from_db()
    assert noticed.anonymised_at is None
    assert Person.objects.filter(retention_notice_at__isnull=False).count() == 1


def test_the_job_is_idempotent(personas):
    _old_person(personas)
    later = timezone.now() + timedelta(days=31)
    retention.run()
    retention.run(now=later)
    counts = (AuditEvent.objects.count(), OutboxMessage.objects.count(), PersonEvent.objects.count())
    report = retention.run(now=later)
    assert all(sum(c.values()) == 0 for c in report.values())
    assert (AuditEvent.objects.count(), OutboxMessage.objects.count(), PersonEvent.objects.count()) == counts


def test_the_periodic_task_returns_counts_only(personas):
    from jalon.people.tasks import retention_task

    _old_person(personas)
    result = retention_task.call_local()
    assert result["notices"] == 1
    assert set(result) == set(retention.RULES)


def test_audit_events_and_message_bodies_are_purged_after_12_months(personas):
    old = timezone.now() - timedelta(days=370)
    kept = AuditEvent.objects.create(action="read", structure=personas.structure_a)
    AuditEvent.objects.create(action="read", structure=personas.structure_a, at=old)
    sent = OutboxMessage.objects.create(
        structure=personas.structure_a,
        channel="email",
        to="awa@example.org",
        body="Votre lien : https://jalon.example/r/secret-token",
        status=MessageStatus.SENT,
        created_at=old,
    )
    recent = OutboxMessage.objects.create(
        structure=personas.structure_a, channel="sms", to="+33612345678", body="À demain", status="sent"
    )
    report = retention.run()
    assert report["audit"][personas.structure_a.pk] == 1
    assert report["messages"][personas.structure_a.pk] == 1
    assert list(AuditEvent.objects.filter(at__lt=timezone.now() - timedelta(days=365))) == []
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    sent.refresh_from_db()
    assert (sent.body, sent.to) == ("", "")
    recent.refresh_from_db()
    assert recent.body == "À demain"
    assert sum(retention.run()["messages"].values()) == 0


def _referral(structure, *, source=ReferralSource.LINK, age_days=100, **extra):
    return Referral.objects.create(
        structure=structure,
        source=source,
        first_name="Inès",
        phone="+33611111111",
        contact_consent_at=timezone.now(),
        consent_text_version="2026-11",
        created_at=timezone.now() - timedelta(days=age_days),
        **extra,
    )


def test_public_referrals_never_followed_up_are_purged_after_3_months(personas):
    a = personas.structure_a
    stale = _referral(a)
    fresh = _referral(a, age_days=60)
    contacted = _referral(
        a, status=ReferralStatus.CONTACTED, first_contact_at=timezone.now(), first_contact_minutes=5
    )
    by_staff = _referral(a, source=ReferralSource.STAFF)
    report = retention.run()
    assert report["referrals"][a.pk] == 1
    assert not Referral.objects.filter(pk=stale.pk).exists()
    assert Referral.objects.filter(pk__in=[fresh.pk, contacted.pk, by_staff.pk]).count() == 3


def test_the_command_prints_counts_per_structure_and_rule_without_names(personas):
    from io import StringIO

    person = _old_person(personas)
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Simulation" in text
    assert "avis envoyés au référent" in text
    assert f"{personas.structure_a.name} : 1" in text
    assert person.last_name not in text and person.first_name not in text
    assert _notices().count() == 0
    call_command("retention", stdout=StringIO())
    assert _notices().count() == 1


def test_anonymisation_keeps_statistics_and_removes_identity(personas):
    person = _old_person(personas, gender="F", rqth=True)
    note = SensitiveNote(person=person, category=SensitiveCategory.HEALTH)
    note.set_text("Diabète")
    note.save()
    queued = OutboxMessage.objects.create(
        structure=personas.structure_a, channel="email", to="awa@example.org", body="Rappel", status="queued"
    )
    assert erasure.anonymise_person(person=person, actor=None, reason="retention", via="job")
    person.refresh_from_db()
    assert person.full_name.startswith(erasure.ANONYMOUS_NAME)
    assert (person.phone, person.email, person.referent_id) == ("", "", None)
    assert person.birth_date == date(1990, 7, 1)  # the year only
    assert (person.gender, person.rqth, person.structure_id) == ("F", True, personas.structure_a.pk)
    assert not SensitiveNote.objects.filter(person=person).exists()
    assert not OutboxMessage.objects.filter(pk=queued.pk).exists()
    assert list(person.events.values_list("kind", flat=True)) == ["anonymised"]
    event = AuditEvent.objects.get(person=person, action="delete")
    assert event.detail == "anonymisation : retention" and event.via == "job"
    # Idempotent: the second call changes nothing and records nothing.
    counts = AuditEvent.objects.count(), PersonEvent.objects.count()
    assert not erasure.anonymise_person(person=person, actor=None, reason="retention")
    assert (AuditEvent.objects.count(), PersonEvent.objects.count()) == counts


def test_the_home_page_lists_the_files_that_will_be_anonymised(personas):
    person = _old_person(personas)
    client = personas.client_for(personas.case_worker_a)
    sentence = "ils seront rendus anonymes dans moins de 30 jours"
    assert sentence not in client.get("/").content.decode()
    retention.run()
    assert sentence in client.get("/").content.decode()
    # A contact recorded after the notice: the file is spared and leaves the list.
    from jalon.people import actions

    actions.update_person(
        person=person,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        data={"languages": "arabe"},
    )
    assert sentence not in client.get("/").content.decode()


def test_anonymisation_reaches_what_other_apps_hold(personas):
    from jalon.agenda.models import Appointment, Participant
    from jalon.referrals.models import Intake, IntakeNeed, Orientation, PlanAxis

    person = _old_person(personas)
    a = personas.structure_a
    referral = _referral(
        a, person=person, status=ReferralStatus.WELCOMED, message="Je cherche un emploi à Brest"
    )
    intake = Intake.objects.create(person=person, structure=a, summary="Vit chez sa sœur, 3 enfants")
    need = IntakeNeed.objects.create(intake=intake, domain="logement", detail="expulsion en mars")
    PlanAxis.objects.create(person=person, structure=a, title="Trouver un logement")
    orientation = Orientation.objects.create(
        person=person,
        from_structure=a,
        target_kind="service",
        target_label="CCAS",
        motive="Dettes de loyer",
        share_contact=True,
    )
    start = timezone.now() - timedelta(days=800)
    appointment = Appointment.objects.create(
        structure=a, title="Accueil", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    participant = Participant.objects.create(
        appointment=appointment, person=person, first_name="Awa", last_name="Diallo", phone="+33612345678"
    )
    erasure.anonymise_person(person=person, actor=None, reason="erasure")
    referral.refresh_from_db()
    assert (referral.first_name, referral.phone, referral.message) == (erasure.ANONYMOUS_NAME, "", "")
    assert referral.status == ReferralStatus.WELCOMED  # the referrer's counts keep it
    intake.refresh_from_db()
    need.refresh_from_db()
    assert (intake.summary, need.detail, need.domain) == ("", "", "logement")
    assert not PlanAxis.objects.filter(person=person).exists()
    orientation.refresh_from_db()
    assert orientation.motive == "" and orientation.target_label == "CCAS"
    participant.refresh_from_db()
    assert (participant.first_name, participant.last_name, participant.phone) == (
        erasure.ANONYMOUS_NAME,
        "",
        "",
    )


def test_an_appointment_or_an_orientation_counts_as_a_contact(personas):
    from jalon.agenda.models import Appointment, Participant
    from jalon.referrals.models import Orientation

    with_appointment, with_orientation, forgotten = (_old_person(personas) for _ in range(3))
    start = timezone.now() + timedelta(days=7)  # booked, to come
    appointment = Appointment.objects.create(
        structure=personas.structure_a, title="Accueil", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    Participant.objects.create(appointment=appointment, person=with_appointment, first_name="Awa")
    Orientation.objects.create(
        person=with_orientation,
        from_structure=personas.structure_a,
        target_kind="service",
        target_label="CCAS",
        motive="Logement",
        share_contact=False,
    )
    due = set(retention.due_for_notice(personas.structure_a, timezone.now()).values_list("pk", flat=True))
    assert due == {forgotten.pk}

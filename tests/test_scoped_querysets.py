"""Scoped QuerySets of the referrals, agenda, outbox, audit and directory models.

Each method is checked from three sides: the owning structure sees its rows, a second structure
sees nothing, and `None` (no current structure) sees nothing. Rows about a person file also
follow the sharing consent: the partner reads them while the consent lasts, never writes them.
"""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from jalon.agenda.models import Appointment, Participant, Permanence, Place
from jalon.audit.models import Action, AuditEvent
from jalon.directory.models import DirectoryStructure, Service
from jalon.notifications.models import MessageChannel, OutboxMessage
from jalon.people import actions as people_actions
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.referrals.models import (
    Intake,
    IntakeNeed,
    Need,
    Orientation,
    PlanAction,
    PlanAxis,
    PlanObjective,
    ProspectionEntry,
    Referral,
    ReferralEvent,
    Referrer,
)

from .factories import PersonFactory, StructureFactory


def _referral(structure, **extra):
    return Referral.objects.create(
        structure=structure,
        source="equipe",
        first_name="Adèle",
        contact_consent_at=timezone.now(),
        consent_text_version="1",
        **extra,
    )


def _share(personas, person):
    return people_actions.give_consent(
        person=person,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.PAPER,
        target_structure=personas.structure_b,
    )


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


# --- Referrals -----------------------------------------------------------------------------------


def test_referral_events_and_prospection_are_scoped(personas):
    a, b = personas.structure_a, personas.structure_b
    event = ReferralEvent.objects.create(referral=_referral(a), label="Appel")
    ReferralEvent.objects.create(referral=_referral(b), label="Autre")
    referrer = Referrer.objects.create(structure=a, name="Boulangerie", kind="commerce")
    entry = ProspectionEntry.objects.create(referrer=referrer, kind="visite")
    ProspectionEntry.objects.create(
        referrer=Referrer.objects.create(structure=b, name="Café", kind="cafe"), kind="appel"
    )
    assert _ids(ReferralEvent.objects.for_structure(a)) == {event.pk}
    assert _ids(ProspectionEntry.objects.for_structure(a)) == {entry.pk}
    assert not ReferralEvent.objects.for_structure(StructureFactory()).exists()
    assert not ProspectionEntry.objects.for_structure(StructureFactory()).exists()
    assert not ReferralEvent.objects.for_structure(None).exists()
    assert not ProspectionEntry.objects.for_structure(None).exists()


@pytest.fixture
def plan_a(personas, person_a):
    """An intake and a one-line action plan that structure A wrote about its person."""
    a = personas.structure_a
    intake = Intake.objects.create(person=person_a, structure=a)
    need = IntakeNeed.objects.create(intake=intake, domain=Need.DIGITAL)
    axis = PlanAxis.objects.create(person=person_a, structure=a, title="Emploi")
    objective = PlanObjective.objects.create(axis=axis, title="CV")
    action = PlanAction.objects.create(objective=objective, person=person_a, structure=a, title="Écrire")
    return {Intake: intake, IntakeNeed: need, PlanAxis: axis, PlanObjective: objective, PlanAction: action}


MODELS = [Intake, IntakeNeed, PlanAxis, PlanObjective, PlanAction]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_person_records_are_scoped_to_the_structure(personas, plan_a, model):
    a, b = personas.structure_a, personas.structure_b
    own = plan_a[model].pk
    assert _ids(model.objects.owned_by(a)) == {own}
    assert _ids(model.objects.for_structure(a)) == {own}
    assert not model.objects.owned_by(b).exists()
    assert not model.objects.for_structure(b).exists()
    assert not model.objects.owned_by(None).exists()
    assert not model.objects.for_structure(None).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_person_records_follow_the_sharing_consent(personas, person_a, plan_a, model):
    a, b = personas.structure_a, personas.structure_b
    consent = _share(personas, person_a)
    # The partner reads the file's intake and plan, but they stay structure A's rows.
    assert _ids(model.objects.for_structure(b)) == {plan_a[model].pk}
    assert not model.objects.owned_by(b).exists()
    people_actions.withdraw_consent(consent=consent, structure=a, actor=personas.case_worker_a.user)
    assert not model.objects.for_structure(b).exists()
    assert _ids(model.objects.for_structure(a)) == {plan_a[model].pk}


def test_orientations_are_seen_by_sender_and_receiver_only(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    orientation = Orientation.objects.create(
        person=person_a,
        from_structure=a,
        target_kind="structure",
        target_structure=b,
        motive="m",
        share_contact=True,
    )
    assert _ids(Orientation.objects.for_structure(a)) == {orientation.pk}
    assert _ids(Orientation.objects.for_structure(b)) == {orientation.pk}
    assert _ids(Orientation.objects.sent_by(a)) == {orientation.pk}
    assert not Orientation.objects.sent_by(b).exists()
    assert _ids(Orientation.objects.received_by(b)) == {orientation.pk}
    assert not Orientation.objects.for_structure(StructureFactory()).exists()
    assert not Orientation.objects.for_structure(None).exists()


# --- Agenda --------------------------------------------------------------------------------------


@pytest.fixture
def rota(personas):
    """Structure A's place with two permanences: one A holds, one its partner B holds."""
    a, b = personas.structure_a, personas.structure_b
    place = Place.objects.create(structure=a, name="Bureau partagé")
    own = Permanence.objects.create(
        place=place,
        host=a,
        label="Accueil A",
        weekday=0,
        start_time=time(9),
        end_time=time(12),
        valid_from=date(2025, 1, 1),
    )
    partner = Permanence.objects.create(
        place=place,
        host=b,
        label="Accueil B",
        weekday=1,
        start_time=time(9),
        end_time=time(12),
        valid_from=date(2025, 1, 1),
    )
    return place, own, partner


def test_places_and_permanences_are_scoped(personas, rota):
    a, b = personas.structure_a, personas.structure_b
    place, own, partner = rota
    b_place = Place.objects.create(structure=b, name="Local B")
    assert _ids(Place.objects.owned_by(a)) == {place.pk}
    assert _ids(Place.objects.for_structure(a)) == {place.pk}
    # B holds a permanence at A's place: it may use the place, it does not own it.
    assert _ids(Place.objects.owned_by(b)) == {b_place.pk}
    assert _ids(Place.objects.for_structure(b)) == {place.pk, b_place.pk}
    assert _ids(Permanence.objects.owned_by(a)) == {own.pk, partner.pk}
    assert _ids(Permanence.objects.for_structure(a)) == {own.pk, partner.pk}
    assert _ids(Permanence.objects.held_by(a)) == {own.pk}
    assert not Permanence.objects.owned_by(b).exists()
    assert _ids(Permanence.objects.for_structure(b)) == {partner.pk}
    assert _ids(Permanence.objects.held_by(b)) == {partner.pk}
    stranger = StructureFactory()
    for method in ("owned_by", "for_structure"):
        assert not getattr(Place.objects, method)(stranger).exists()
        assert not getattr(Place.objects, method)(None).exists()
    for method in ("owned_by", "for_structure", "held_by"):
        assert not getattr(Permanence.objects, method)(stranger).exists()
        assert not getattr(Permanence.objects, method)(None).exists()


def test_appointments_and_participants_are_scoped(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    start = timezone.now() + timedelta(days=1)
    appointment = Appointment.objects.create(
        structure=a, title="Accueil", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    participant = Participant.objects.create(appointment=appointment, person=person_a, first_name="A")
    other = Appointment.objects.create(
        structure=b, title="Atelier", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    Participant.objects.create(appointment=other, first_name="B")
    assert _ids(Appointment.objects.for_structure(a)) == {appointment.pk}
    assert _ids(Participant.objects.for_structure(a)) == {participant.pk}
    assert not Participant.objects.for_structure(StructureFactory()).exists()
    assert not Participant.objects.for_structure(None).exists()
    # Even with the file shared, B sees only its own appointments' participants.
    _share(personas, person_a)
    assert person_a.pk not in set(Participant.objects.for_structure(b).values_list("person_id", flat=True))


def test_participations_of_a_person_include_its_welcomed_referrals(personas, person_a):
    a = personas.structure_a
    start = timezone.now() + timedelta(days=1)
    appointment = Appointment.objects.create(
        structure=a, title="Accueil", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    direct = Participant.objects.create(appointment=appointment, person=person_a, first_name="A")
    referral = _referral(a, person=person_a)
    through = Participant.objects.create(appointment=appointment, referral=referral, first_name="A")
    Participant.objects.create(appointment=appointment, person=PersonFactory(structure=a), first_name="Z")
    assert _ids(Participant.objects.of_person(person_a)) == {direct.pk, through.pk}


# --- Outbox, audit, directory -------------------------------------------------------------------


def test_outbox_and_audit_are_scoped(personas):
    a, b = personas.structure_a, personas.structure_b
    message = OutboxMessage.objects.create(
        structure=a, channel=MessageChannel.EMAIL, to="x@example.org", body="b"
    )
    OutboxMessage.objects.create(structure=b, channel=MessageChannel.EMAIL, to="y@example.org", body="b")
    OutboxMessage.objects.create(structure=None, channel=MessageChannel.EMAIL, to="z@example.org", body="b")
    event = AuditEvent.objects.create(structure=a, action=Action.READ)
    AuditEvent.objects.create(structure=b, action=Action.READ)
    AuditEvent.objects.create(structure=None, action=Action.LOGIN)
    assert _ids(OutboxMessage.objects.for_structure(a)) == {message.pk}
    assert _ids(AuditEvent.objects.for_structure(a)) == {event.pk}
    stranger = StructureFactory()
    assert not OutboxMessage.objects.for_structure(stranger).exists()
    assert not AuditEvent.objects.for_structure(stranger).exists()
    # No current structure must not mean "the rows without a structure".
    assert not OutboxMessage.objects.for_structure(None).exists()
    assert not AuditEvent.objects.for_structure(None).exists()


def test_directory_offer_is_scoped_to_its_owner(personas):
    a, b = personas.structure_a, personas.structure_b
    today = timezone.localdate()

    def entry(owner, key):
        structure = DirectoryStructure.objects.create(
            source="test", source_id=key, nom=key, date_maj=today, owner=owner
        )
        service = Service.objects.create(
            structure=structure, source="test", source_id=key, nom=key, description="d", date_maj=today
        )
        return structure, service

    own_structure, own_service = entry(a, "a")
    entry(b, "b")
    entry(None, "national")
    assert _ids(DirectoryStructure.objects.owned_by(a)) == {own_structure.pk}
    assert _ids(Service.objects.owned_by(a)) == {own_service.pk}
    assert not DirectoryStructure.objects.owned_by(StructureFactory()).exists()
    assert not Service.objects.owned_by(StructureFactory()).exists()
    assert not DirectoryStructure.objects.owned_by(None).exists()
    assert not Service.objects.owned_by(None).exists()

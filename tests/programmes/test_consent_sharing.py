"""Consent withdrawal cuts every shared view of a co-run programme at the next request.

POP (A) and O'Clock (B) co-run a programme. A's person shares their file with B, then withdraws:
from the next request B sees neither their name nor their attendance (session page, roll call,
signing sheet, API), only an anonymous count; marking them is refused. A still sees everything.
"""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jalon.agenda import links as booking_links
from jalon.people.actions import give_consent, withdraw_consent
from jalon.people.models import ConsentMethod, ConsentPurpose
from jalon.programmes import actions, selectors
from jalon.programmes.models import AttendanceStatus, Programme, Stage, StageKind
from tests.api.test_auth import token_client
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture
def co_run(personas):
    a, b = personas.structure_a, personas.structure_b
    programme = Programme.objects.create(name="Ensemble à 100 %")
    programme.owners.add(a, b)
    stage = Stage.objects.create(programme=programme, position=1, name="Ateliers", kind=StageKind.WORKSHOP)
    start = timezone.make_aware(datetime.combine(DAY, datetime.min.time()).replace(hour=9))
    session = actions.schedule_session(
        stage=stage, structure=a, actor=None, slots=[(start, start + timedelta(hours=3))], capacity=10
    )
    pop = PersonFactory(structure=a, first_name="Zéphyrine", last_name="Quarteron")
    oclock = PersonFactory(structure=b, first_name="Omar", last_name="Haddad")
    pop_enrolment = actions.enrol(session=session, person=pop, structure=a, actor=None, check_rules=False)
    oclock_enrolment = actions.enrol(
        session=session, person=oclock, structure=b, actor=None, check_rules=False
    )
    slot = session.slots.get()
    actions.take_attendance(slot=slot, marks={pop_enrolment.pk: AttendanceStatus.PRESENT}, structure=a)
    actions.take_attendance(slot=slot, marks={oclock_enrolment.pk: AttendanceStatus.ABSENT}, structure=b)
    consent = give_consent(
        person=pop,
        structure=a,
        actor=None,
        purpose=ConsentPurpose.SHARING,
        method=ConsentMethod.ORAL,
        target_structure=b,
    )
    return session, slot, pop_enrolment, oclock_enrolment, consent


def _seen_by_b(personas, session, slot):
    """Everything B's case worker reads about the session, as one text."""
    client = personas.client_for(personas.admin_b)
    api = token_client(personas.admin_b.user)
    parts = [
        client.get(reverse("session_detail", args=[session.pk])).content.decode(),
        client.get(reverse("slot_roll_call", args=[slot.pk])).content.decode(),
        api.get(f"/api/v1/sessions/{session.pk}").content.decode(),
    ]
    return "\n".join(parts)


def test_with_consent_the_co_runner_names_the_partner_person(personas, co_run):
    session, slot, pop_enrolment, _, _ = co_run
    assert "Zéphyrine Q." in _seen_by_b(personas, session, slot)
    marks = token_client(personas.admin_b.user).get(f"/api/v1/slots/{slot.pk}/attendance").json()
    assert pop_enrolment.pk in {m["enrolment_id"] for m in marks}


def test_after_withdrawal_the_co_runner_sees_no_name_and_no_attendance(personas, co_run):
    session, slot, pop_enrolment, oclock_enrolment, consent = co_run
    withdraw_consent(consent=consent, structure=personas.structure_a, actor=personas.case_worker_a.user)
    seen = _seen_by_b(personas, session, slot)
    assert "Zéphyrine" not in seen and "Quarteron" not in seen
    assert "Omar Haddad" in seen
    # What B keeps: an anonymous count.
    assert "1 personne d'une structure partenaire" in seen
    detail = token_client(personas.admin_b.user).get(f"/api/v1/sessions/{session.pk}").json()
    assert [e["name"] for e in detail["enrolments"]] == ["Omar Haddad"]
    assert detail["partner_people"] == 1
    api = token_client(personas.admin_b.user)
    marks = api.get(f"/api/v1/slots/{slot.pk}/attendance").json()
    assert [m["enrolment_id"] for m in marks] == [oclock_enrolment.pk]
    # B may no longer mark the partner's person, by id or with "tous présents".
    refused = api.post(
        f"/api/v1/slots/{slot.pk}/attendance",
        {"marks": [{"enrolment_id": pop_enrolment.pk, "status": "absent"}]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    api.post(f"/api/v1/slots/{slot.pk}/attendance", {"tous_presents": True}, content_type="application/json")
    assert set(pop_enrolment.attendances.values_list("status", flat=True)) == {AttendanceStatus.PRESENT}
    # The signing sheet (PDF) is built from the same rows.
    rows = selectors.session_enrolments(session, personas.structure_b)
    assert [e.person_id for e in rows] == [oclock_enrolment.person_id] and rows.hidden == 1
    # The owning structure still sees its person in full.
    own = personas.client_for(personas.case_worker_a).get(reverse("session_detail", args=[session.pk]))
    assert "Zéphyrine Quarteron" in own.content.decode()


def test_a_peer_facilitator_names_only_what_their_structure_may(personas, co_run):
    session, slot, _, oclock_enrolment, consent = co_run
    peer = oclock_enrolment.person
    withdraw_consent(consent=consent, structure=personas.structure_a, actor=None)
    rows = selectors.roll_call_enrolments(slot, None, on_behalf_of=peer.structure)
    assert [e.display for e in rows] == ["Omar H."] and rows.hidden == 1


def test_session_rows_cost_one_query_whatever_the_consents(personas, co_run, django_assert_num_queries):
    session, *_ = co_run
    for _ in range(5):
        person = PersonFactory(structure=personas.structure_a)
        actions.enrol(
            session=session, person=person, structure=personas.structure_a, actor=None, check_rules=False
        )
    with django_assert_num_queries(1):
        rows = selectors.session_enrolments(session, personas.structure_b, counts=True)
    assert rows.hidden == 5


def test_withdrawal_revokes_the_booking_links_given_before(personas, person_a):
    token = booking_links.booking_token(structure=personas.structure_a, person=person_a)
    public = Client()
    assert public.get(reverse("public_booking", kwargs={"token": token})).status_code == 200
    consent = person_a.consents.get(purpose=ConsentPurpose.ACCOMPANIMENT)
    withdraw_consent(consent=consent, structure=personas.structure_a, actor=None)
    refused = public.get(reverse("public_booking", kwargs={"token": token}))
    assert refused.status_code != 200 and "plus actif" in refused.content.decode()

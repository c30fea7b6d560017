"""Programme screens through the Django client: the designer, a session, the roll call, links, exports."""

import csv
import html
import io
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jalon.audit.models import AuditEvent
from jalon.programmes import actions, links, rollup
from jalon.programmes.models import (
    Attendance,
    Enrolment,
    EnrolmentStatus,
    Exit,
    Invitation,
    Peer,
    Programme,
    RuleKind,
    StageKind,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _at(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _world(personas, *, people=3, days=5):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme = actions.create_programme(structure=a, actor=actor, name="Ensemble à 100 %")
    workshops = actions.add_stage(
        programme=programme, structure=a, actor=actor, name="Ateliers", kind=StageKind.WORKSHOP
    )
    camp = actions.add_stage(
        programme=programme, structure=a, actor=actor, name="SprintCamp", kind=StageKind.BOOTCAMP
    )
    actions.add_rule(
        stage=camp, structure=a, actor=actor, kind=RuleKind.MIN_ATTENDED, count=1, of_stage=workshops
    )
    session = actions.schedule_session(
        stage=workshops,
        structure=a,
        actor=actor,
        slots=[(_at(days, 9), _at(days, 12)), (_at(days, 14), _at(days, 17))],
        capacity=20,
        place="Tiers-lieu",
    )
    enrolments = [
        actions.enrol(session=session, person=PersonFactory(structure=a), structure=a, actor=actor)
        for _ in range(people)
    ]
    return programme, workshops, camp, session, enrolments


def test_coordinator_designs_a_programme_with_the_forms(personas):
    client = personas.client_for(personas.coordinator_a)
    response = client.post(reverse("programme_list"), {"name": "Oser coder", "description": "Trois jeudis"})
    programme = Programme.objects.get(name="Oser coder")
    assert response.status_code == 302 and programme.owners.get() == personas.structure_a
    for name, kind in (("Matinée 1", "decouverte_metier"), ("Formation", "qualifiante")):
        client.post(reverse("stage_add", args=[programme.pk]), {"name": name, "kind": kind})
    first, second = programme.stages.order_by("position")
    # Bad input: a French message and nothing written.
    client.post(reverse("stage_add", args=[programme.pk]), {"name": "", "kind": "nimporte"})
    assert programme.stages.count() == 2
    response = client.post(reverse("stage_rule_add", args=[second.pk]), {"kind": "ateliers"}, follow=True)
    assert "Choisissez une condition" in _text(response) or "nombre de séances" in _text(response)
    client.post(
        reverse("stage_rule_add", args=[second.pk]), {"kind": "ateliers", "count": 3, "of_stage": first.pk}
    )
    assert str(second.rules.get()) == "au moins 3 séance(s) suivie(s) de « Matinée 1 »"
    client.post(reverse("stage_move", args=[second.pk]), {"sens": "haut"})
    assert list(programme.stages.order_by("position").values_list("name", flat=True)) == [
        "Formation",
        "Matinée 1",
    ]
    response = client.post(
        reverse("session_create", args=[first.pk]),
        {"slots": "2027-01-14 09:00-12:00\n2027-13-01 9h", "capacity": 10},
    )
    assert "Ligne 2 illisible" in _text(response)
    response = client.post(
        reverse("session_create", args=[first.pk]),
        {"slots": "2027-01-14 09:00-12:00\n2027-01-21 09:00-12:00", "capacity": 10, "waiting_list": "on"},
    )
    session = first.sessions.get()
    assert response.status_code == 302 and session.slots.count() == 2
    page = _text(client.get(reverse("programme_detail", args=[programme.pk])))
    assert "Matinée 1" in page and "Session du 14 janvier 2027" in page
    client.post(reverse("programme_copy", args=[programme.pk]), {"name": "Oser coder — Lyon"})
    copy = Programme.objects.get(name="Oser coder — Lyon")
    assert copy.stages.count() == 2 and not copy.stages.filter(sessions__isnull=False).exists()


def test_trainer_may_take_the_roll_call_but_not_design(personas):
    client = personas.client_for(personas.trainer_a)
    assert client.post(reverse("programme_list"), {"name": "X"}).status_code == 403
    _, _, _, session, enrolments = _world(personas)
    slot = session.slots.first()
    response = client.post(
        reverse("slot_roll_call", args=[slot.pk]), {f"e{enrolments[0].pk}": "absent", "tous": "present"}
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        enrolments[0].pk: "absent",
        enrolments[1].pk: "present",
        enrolments[2].pk: "present",
    }
    # Nothing chosen and no bulk: a French message, nothing written.
    response = client.post(reverse("slot_roll_call", args=[session.slots.last().pk]), {})
    assert "Choisissez une présence" in _text(response)
    assert Attendance.objects.count() == 3


def test_session_page_enrols_with_the_entry_rules_and_the_waiting_list(personas):
    client = personas.client_for(personas.coordinator_a)
    programme, workshops, camp, session, enrolments = _world(personas)
    camp_session = actions.schedule_session(
        stage=camp, structure=personas.structure_a, actor=None, slots=[(_at(20, 9), _at(20, 17))], capacity=1
    )
    lina = PersonFactory(structure=personas.structure_a, first_name="Lina", last_name="Benali")
    response = client.post(reverse("session_enrol", args=[camp_session.pk, lina.pk]), follow=True)
    assert "Conditions d'entrée non remplies" in _text(response)
    assert not camp_session.enrolments.exists()
    client.post(reverse("session_enrol", args=[camp_session.pk, lina.pk]), {"passer_outre": "1"})
    assert AuditEvent.objects.filter(
        object_type="enrolment", detail="conditions d'entrée passées outre"
    ).exists()
    other = enrolments[0].person
    actions.take_attendance(
        slot=session.slots.first(),
        marks={enrolments[0].pk: "present"},
        structure=personas.structure_a,
        actor=None,
    )
    response = client.post(reverse("session_enrol", args=[camp_session.pk, other.pk]), follow=True)
    assert "liste d'attente, rang 1" in _text(response)
    # The search finds people of the structure not yet in the session.
    page = _text(client.get(reverse("session_detail", args=[camp_session.pk]) + "?q=benali"))
    assert "Aucune personne trouvée" in page
    page = _text(client.get(reverse("session_detail", args=[session.pk]) + "?q=benali"))
    assert "Lina BENALI" in page
    # The stage's proposals: one person attended one workshop and is already waiting; nobody left.
    assert "Personne d'autre ne remplit les conditions" in _text(
        client.get(reverse("stage_proposals", args=[camp.pk]))
    )


def test_session_detail_query_count_does_not_grow_with_people(personas, django_assert_max_num_queries):
    client = personas.client_for(personas.coordinator_a)
    *_, small, _ = _world(personas, people=3)
    client.get(reverse("programme_list"))  # the first request of a session records the current structure
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("session_detail", args=[small.pk]))
    programme, workshops, *_ = _world(personas, people=30, days=6)
    big = workshops.sessions.order_by("-pk").first()
    assert big.enrolments.count() == 30
    with django_assert_max_num_queries(40) as many:
        client.get(reverse("session_detail", args=[big.pk]))
    # The read events of the files shown are written in one statement: the count is constant.
    assert len(many.captured_queries) == len(few.captured_queries)
    reads = AuditEvent.objects.filter(action="read", object_type="person", detail="session")
    assert reads.count() == 3 + 30


def test_roll_call_query_count_is_constant(personas):
    client = personas.client_for(personas.trainer_a)
    *_, small, _ = _world(personas, people=3)
    *_, big, _ = _world(personas, people=30, days=6)
    client.get(reverse("programme_list"))  # the first request of a session records the current structure
    counts = []
    for session in (small, big):
        slot = session.slots.first()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("slot_roll_call", args=[slot.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_peer_facilitator_link_takes_the_roll_call_without_an_account(personas, client):
    _, _, _, session, enrolments = _world(personas)
    peer = PersonFactory(structure=personas.structure_a, first_name="Awa")
    actions.mark_peer(person=peer, structure=personas.structure_a, actor=None)
    session.trainers.create(person=peer)
    url = links.roll_call_url(session=session, peer=peer)
    page = _text(client.get(url))
    # First names and initials only: a peer is a participant, not staff.
    first = enrolments[0].person
    assert f"{first.first_name} {first.last_name[:1]}." in page and first.last_name not in page
    response = client.post(url, {"tous": "present"})
    assert response.status_code == 302
    assert Attendance.objects.filter(recorded_by_peer=peer).count() == 3
    # Each file whose name the peer saw has its read event, marked as coming through the link.
    seen = AuditEvent.objects.filter(object_type="person", detail="appel par un·e pair·e", via="link")
    assert set(seen.values_list("person_id", flat=True)) == {e.person_id for e in enrolments}
    # No longer a trainer of the session: the link stops working.
    session.trainers.all().delete()
    assert client.get(url).status_code == 410
    assert client.get(url[:-5] + "abcd/").status_code == 404


def test_registration_link_from_an_invitation(personas, client):
    _, _, camp, _, _ = _world(personas)
    session = actions.schedule_session(
        stage=camp, structure=personas.structure_a, actor=None, slots=[(_at(9, 9), _at(9, 17))], capacity=1
    )
    person = PersonFactory(structure=personas.structure_a, first_name="Lina")
    invitation, _ = actions.invite(session=session, person=person, structure=personas.structure_a, actor=None)
    url = links.registration_url(invitation)
    page = _text(client.get(url))
    assert "Bonjour Lina" in page and "Je m'inscris" in page
    # The entry rule "1 workshop attended" is not met: a clear refusal, nothing written.
    response = client.post(url)
    assert "Conditions d'entrée non remplies" in _text(response)
    assert not Enrolment.objects.filter(session=session).exists()
    camp.rules.all().delete()
    client.post(url)
    enrolment = Enrolment.objects.get(session=session, person=person)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert AuditEvent.objects.filter(object_type="enrolment", via="link").exists()
    assert Invitation.objects.count() == 1


def test_pathway_page_records_an_exit_and_a_peer(personas):
    client = personas.client_for(personas.case_worker_a)
    programme, _, _, session, enrolments = _world(personas)
    person = enrolments[0].person
    url = reverse("person_pathway_record", args=[person.pk])
    response = client.post(
        url, {"programme": programme.pk, "kind": "durable:recherche", "exited_on": "2027-01-01"}
    )
    assert not Exit.objects.exists()
    response = client.post(url, {"programme": programme.pk, "kind": "durable:cdi", "exited_on": "2027-01-01"})
    assert response.status_code == 302 and Exit.objects.get().subtype_label == "CDI"
    client.post(url, {"action": "pair"})
    assert Peer.objects.filter(person=person).exists()
    page = _text(client.get(reverse("person_pathway", args=[person.pk])))
    assert "Ensemble à 100 % — Ateliers" in page and "emploi durable" in page and "pair·e" in page
    # The exit date is filled with today, in the form a date field understands (found on screen).
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert AuditEvent.objects.filter(
        object_type="person", object_id=str(person.pk), detail="parcours"
    ).exists()
    # Read-only members see the pathway, change nothing.
    reader = personas.client_for(personas.read_only_a)
    assert reader.get(reverse("person_pathway", args=[person.pk])).status_code == 200
    assert reader.post(url, {"action": "diagnostic"}).status_code == 403


def test_dashboard_shows_the_funnel_and_exports_it(personas):
    client = personas.client_for(personas.coordinator_a)
    programme, _, _, session, enrolments = _world(personas, days=-3)
    actions.take_attendance(
        slot=session.slots.first(),
        marks={e.pk: "present" for e in enrolments},
        structure=personas.structure_a,
        actor=None,
    )
    actions.finish(
        enrolment=enrolments[0], structure=personas.structure_a, actor=None, ended_on=timezone.localdate()
    )
    url = reverse("programme_dashboard", args=[programme.pk])
    assert "pas encore été calculés" in _text(client.get(url))
    rollup.refresh()
    page = _text(client.get(url))
    assert "Chiffres du" in page and '<td data-label="Personnes entrées">3</td>' in page
    rows = list(
        csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[1][:6] == ["Ateliers", "3", "1", "3", "1", "0"]
    book = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    assert [c.value for c in book.active[2]][:5] == ["Ateliers", 3, 1, 3, 1]
    response = client.get(url + "?debut=2027-02-01&fin=2027-01-01")
    assert "La fin de la période doit suivre son début." in _text(response)


def test_signing_sheet_is_a_pdf_with_the_names(personas):
    from pypdf import PdfReader

    client = personas.client_for(personas.trainer_a)
    *_, session, enrolments = _world(personas)
    response = client.get(reverse("session_sheet", args=[session.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]  # names of people: not kept in a browser cache
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Feuille d'émargement" in text and enrolments[0].person.last_name in text


def test_programme_page_cost_does_not_grow_with_sessions(personas):
    client = personas.client_for(personas.coordinator_a)
    programme, workshops, camp, session, _ = _world(personas)
    client.get(reverse("programme_list"))  # the first request of a session records the current structure
    counts = []
    for extra in (0, 25):
        for i in range(extra):
            actions.schedule_session(
                stage=workshops,
                structure=personas.structure_a,
                actor=None,
                slots=[(_at(-30 - i, 9), _at(-30 - i, 12))],
                capacity=12,
            )
        with CaptureQueriesContext(connection) as queries:
            page = _text(client.get(reverse("programme_detail", args=[programme.pk])))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # Upcoming sessions, and the latest past ones behind a disclosure.
    assert "Sessions à venir" in page and "Dernières sessions passées (5)" in page


def test_a_redirection_to_another_actor_continues_as_an_orientation(personas):
    client = personas.client_for(personas.case_worker_a)
    _, _, _, session, enrolments = _world(personas, days=-2)
    actions.take_attendance(
        slot=session.slots.first(),
        marks={enrolments[0].pk: "present", enrolments[1].pk: "absent"},
        structure=personas.structure_a,
        actor=None,
    )
    page = _text(client.get(reverse("session_detail", args=[session.pk])))
    assert "50 % des 2 présences notées" in page and "présent·e 1/1" in page
    assert "Créneaux passés (2)" in page  # folded away on a session that is over
    response = client.post(
        reverse("enrolment_finish", args=[session.pk, enrolments[0].pk]),
        {"ended_on": timezone.localdate().isoformat(), "reason": "reorientee"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orientation_create", args=[enrolments[0].person_id])
    assert Enrolment.objects.get(pk=enrolments[0].pk).left_reason == "reorientee"


def test_home_lists_the_roll_calls_still_to_take(personas):
    _, _, _, session, enrolments = _world(personas, days=-1)
    trainer = personas.client_for(personas.trainer_a)
    # Not leading the session: nothing for the trainer; the coordinator sees both slots.
    assert "ppel à faire" not in _text(trainer.get(reverse("home")))
    page = _text(personas.client_for(personas.coordinator_a).get(reverse("home")))
    assert "Appels à faire (le plus ancien d'abord)" in page
    session.trainers.create(user=personas.trainer_a.user)
    first = session.slots.order_by("starts_at").first()
    assert reverse("slot_roll_call", args=[first.pk]) in _text(trainer.get(reverse("home")))
    for slot in session.slots.all():
        trainer.post(reverse("slot_roll_call", args=[slot.pk]), {"tous": "present"})
    assert "ppel à faire" not in _text(trainer.get(reverse("home")))
    assert "ppels à faire" not in _text(trainer.get(reverse("home")))


def test_the_pathway_shows_on_the_person_file_timeline(personas):
    client = personas.client_for(personas.case_worker_a)
    _, _, _, session, enrolments = _world(personas, days=-2)
    actions.finish(
        enrolment=enrolments[0], structure=personas.structure_a, actor=None, ended_on=timezone.localdate()
    )
    page = _text(client.get(reverse("person_detail", args=[enrolments[0].person_id])))
    assert f"Inscrit·e : {session}" in page and "Étape terminée : Ateliers" in page
    assert reverse("person_pathway", args=[enrolments[0].person_id]) in page


def test_adding_who_leads_a_session_goes_through_the_action_with_its_audit(personas):
    """The session page's "Ajouter une personne qui anime" writes through actions.add_trainer: one
    audit event per trainer added, a French message for an empty choice, 404 for a peer of another
    structure, and adding the same person twice does nothing."""
    _, _, _, session, enrolments = _world(personas, people=1)
    a, b = personas.structure_a, personas.structure_b
    client = personas.client_for(personas.coordinator_a)
    url = reverse("session_trainer_add", args=[session.pk])
    mine = actions.mark_peer(person=enrolments[0].person, structure=a, actor=None)
    theirs = actions.mark_peer(person=PersonFactory(structure=b), structure=b, actor=None)
    trainers = AuditEvent.objects.filter(object_type="trainer")

    assert client.post(url, {"pair": theirs.pk}).status_code == 404
    response = client.post(url, {"label": "  "}, follow=True)
    assert "Choisissez un·e pair·e, vous-même ou le nom d'un·e intervenant·e." in _text(response)
    assert not session.trainers.exists() and not trainers.exists()

    for body in ({"moi": "1"}, {"pair": mine.pk}, {"label": "IMT Atlantique"}, {"moi": "1"}):
        assert client.post(url, body).status_code == 302
    assert session.trainers.count() == 3 and trainers.count() == 3
    with pytest.raises(PermissionDenied):
        actions.add_trainer(session=session, structure=b, actor=None, label="Intrus")
    with pytest.raises(ValidationError):
        actions.add_trainer(session=session, structure=a, actor=None, label="A", user=personas.admin_a.user)
    # A member of another structure cannot be made to lead it.
    with pytest.raises(PermissionDenied):
        actions.add_trainer(session=session, structure=a, actor=None, user=personas.admin_b.user)


def test_a_workshop_catalogue_reads_by_session_titles(personas):
    """Sessions of one stage with their own titles and topics: the form takes them, and the
    programme page, the session page, the roll call and the pathway name them."""
    programme, workshops, _, session, enrolments = _world(personas, people=1)
    client = personas.client_for(personas.coordinator_a)
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    response = client.post(
        reverse("session_create", args=[workshops.pk]),
        {
            "title": "Oser coder : développeur·se web",
            "topic": "Développement web",
            "slots": f"{day} 09:00-12:00 Découvrir le code ; HTML\n{day} 14:00-17:00",
            "capacity": 10,
        },
    )
    assert response.status_code == 302
    coded = workshops.sessions.get(title="Oser coder : développeur·se web")
    assert coded.topic == "Développement web"
    assert [(s.title, s.topic) for s in coded.slots.order_by("starts_at")] == [
        ("Découvrir le code", "HTML"),
        ("", ""),
    ]
    page = _text(client.get(reverse("programme_detail", args=[programme.pk])))
    assert "Oser coder : développeur·se web, le " in page and "Développement web" in page
    # A session without a title still reads by its date.
    assert f"Session du {session.starts_on.day} " in page
    detail = _text(client.get(reverse("session_detail", args=[coded.pk])))
    assert '<h1 class="h3">Oser coder : développeur·se web — session du' in detail
    assert "Découvrir le code" in detail and "Ateliers" in detail
    call = _text(client.get(reverse("slot_roll_call", args=[coded.slots.order_by("starts_at")[0].pk])))
    assert "Appel : Oser coder : développeur·se web" in call and "Découvrir le code" in call
    assert str(coded) == f"Oser coder : développeur·se web — {coded.starts_on:%d/%m/%Y}"
    bad = client.post(
        reverse("session_create", args=[workshops.pk]),
        {"slots": f"{day} 09:00-12:00 {'x' * 201}", "capacity": 10},
    )
    assert "titre de 200 caractères au plus" in _text(bad)

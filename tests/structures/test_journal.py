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


# --- The "Objet" column: a readable French label per kind of object, a link when it may be opened ---

import re  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from jalon.agenda.models import Appointment, Participant, Place  # noqa: E402
from jalon.programmes.models import Enrolment, EnrolmentStatus, Programme, Session, Stage  # noqa: E402
from jalon.referrals.models import Referral, Referrer  # noqa: E402
from jalon.users.models import ApiToken  # noqa: E402

from ..factories import PersonFactory  # noqa: E402


@pytest.fixture
def objects(personas, person_a):
    a, b = personas.structure_a, personas.structure_b
    now = timezone.now()
    programme = Programme.objects.create(name="Ensemble à 100 %")
    programme.owners.add(a)
    stage = Stage.objects.create(programme=programme, position=1, name="SprintCamp", kind="sprint")
    session = Session.objects.create(stage=stage, starts_on=date(2027, 2, 1), capacity=10)
    appointment = Appointment.objects.create(
        structure=a, title="Point d'étape", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    token, _ = ApiToken.issue(user=personas.admin_a.user, name="Tableur du suivi")
    return {
        "person": person_a,
        "stranger": PersonFactory(structure=b, first_name="Anatolie", last_name="Inconnue"),
        "user": personas.coordinator_a.user,
        "apitoken": token,
        "membership": personas.case_worker_a,
        "referrer": Referrer.objects.create(structure=a, name="Boulangerie Martin", kind="commerce"),
        "referral": Referral.objects.create(
            structure=a, source="relais", first_name="Léa", last_name="Durand", contact_consent_at=now
        ),
        "appointment": appointment,
        "participant": Participant.objects.create(appointment=appointment, person=person_a),
        "place": Place.objects.create(structure=a, name="Salle des fêtes"),
        "programme": programme,
        "stage": stage,
        "session": session,
        "enrolment": Enrolment.objects.create(
            session=session, person=person_a, status=EnrolmentStatus.ENROLLED
        ),
        "other_appointment": Appointment.objects.create(
            structure=b, title="Rendez-vous de B", starts_at=now, ends_at=now + timedelta(hours=1)
        ),
    }


def _journal_events(personas, objects):
    a = personas.structure_a
    actor = personas.admin_a.user
    for key, obj in objects.items():
        person = obj if key in ("person", "stranger") else getattr(obj, "person", None)
        record(action=Action.UPDATE, actor=actor, structure=a, obj=obj, person=person)


def _object_cells(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'<td data-label="Objet">(.*?)</td>', page, flags=re.S)


def test_journal_labels_each_kind_of_object_in_french(personas, objects):
    _journal_events(personas, objects)
    response = personas.client_for(personas.admin_a).get(reverse("structure_audit"))
    assert response.status_code == 200
    cells = [html.unescape(c) for c in _object_cells(response)]
    text = "\n".join(re.sub(r"<[^>]+>", "", c) for c in cells)
    o = objects
    expected = {
        o["person"].full_name: reverse("person_detail", args=[o["person"].pk]),
        f"Compte de {o['user'].get_full_name()}": reverse(
            "structure_member_edit", args=[personas.coordinator_a.pk]
        ),
        "Jeton d'API « Tableur du suivi »": reverse("api_tokens"),
        f"Membre {personas.case_worker_a.user.get_full_name()}": reverse(
            "structure_member_edit", args=[personas.case_worker_a.pk]
        ),
        "Relais Boulangerie Martin": reverse("referrer_detail", args=[o["referrer"].pk]),
        "Demande de Léa DURAND": reverse("referral_detail", args=[o["referral"].pk]),
        "« Point d'étape »": reverse("appointment_detail", args=[o["appointment"].pk]),
        "Participation au rendez-vous du": reverse("appointment_detail", args=[o["appointment"].pk]),
        "Lieu Salle des fêtes": reverse("place_detail", args=[o["place"].pk]),
        "Programme Ensemble à 100 %": reverse("programme_detail", args=[o["programme"].pk]),
        "Étape « SprintCamp » du programme Ensemble à 100 %": reverse(
            "programme_detail", args=[o["programme"].pk]
        ),
        "Session « SprintCamp » du 01/02/2027": reverse("session_detail", args=[o["session"].pk]),
        "Inscription à la session « SprintCamp »": reverse("session_detail", args=[o["session"].pk]),
    }
    for label, url in expected.items():
        assert any(label in c and f'href="{url}"' in c for c in cells), label
    # Raw model names never show.
    for raw in ("user ", "apitoken", "membership", "referrer ", "appointment", "participant", "enrolment"):
        assert raw not in text, raw
    # A file the structure may not open: its number only, no name, no link.
    stranger = o["stranger"]
    assert f"Dossier n° {stranger.pk}" in text
    assert "Anatolie" not in text and "INCONNUE" not in text
    assert reverse("person_detail", args=[stranger.pk]) not in response.content.decode()
    # Another structure's appointment: the kind and number, not its title, no link.
    other = o["other_appointment"]
    assert f"Rendez-vous n° {other.pk}" in text
    assert "Rendez-vous de B" not in text
    assert reverse("appointment_detail", args=[other.pk]) not in response.content.decode()


def test_journal_links_only_what_the_viewer_may_open(personas, objects):
    # Another admin sees the token's label, but the tokens page only lists one's own tokens.
    _journal_events(personas, {"apitoken": objects["apitoken"]})
    from ..factories import MembershipFactory

    other_admin = MembershipFactory(structure=personas.structure_a, role="admin")
    response = personas.client_for(other_admin).get(reverse("structure_audit"))
    cells = [html.unescape(c) for c in _object_cells(response)]
    assert any("Jeton d'API « Tableur du suivi »" in c and "href" not in c for c in cells)


def test_journal_reads_each_kind_once_not_each_event(personas, objects, django_assert_max_num_queries):
    client = personas.client_for(personas.admin_a)
    # 15 kinds of objects: 4 rounds make 60 events of mixed kinds.
    for _ in range(4):
        _journal_events(personas, objects)
    # Session, user, membership, the events, the people the structure sees, one read per kind.
    with django_assert_max_num_queries(5 + len(objects)):
        response = client.get(reverse("structure_audit"))
    assert len(_object_cells(response)) == 4 * len(objects) + 1  # and the login of the client
    # Ten times more events of the same kinds (the page shows the latest 200): not one more query.
    for _ in range(36):
        _journal_events(personas, objects)
    with django_assert_max_num_queries(5 + len(objects)):
        response = client.get(reverse("structure_audit"))
    assert len(_object_cells(response)) == 200

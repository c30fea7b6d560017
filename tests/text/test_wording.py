"""Words about one person agree with their recorded gender, or take the inclusive form when it is
unknown — never the wrong one. Participant texts (SMS, public pages) use words that need neither."""

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jalon.notifications.models import OutboxMessage
from jalon.people import actions as people_actions
from jalon.people.models import ConsentMethod, ConsentPurpose, PersonEvent
from jalon.programmes import actions, rollup
from jalon.programmes.models import StageKind
from jalon.referrals import actions as referral_actions
from jalon.referrals import links as referral_links
from jalon.referrals.models import Referral, ReferrerKind
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

# Marcel is a man, Louise a woman, Camille did not say (X) and Dominique was never asked ("").
PEOPLE = [("Marcel", "M"), ("Louise", "F"), ("Camille", "X"), ("Dominique", "")]


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _row(text: str, name: str) -> str:
    """The list row that names this person (up to the end of its <li>)."""
    start = text.index(name)
    return text[start : text.index("</li>", start)]


def _at(day: date, hour: int):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _people(structure, actor):
    people = []
    for first_name, gender in PEOPLE:
        person = PersonFactory(structure=structure, first_name=first_name, last_name="Brunet", gender=gender)
        people_actions.give_consent(
            person=person,
            structure=structure,
            actor=actor,
            purpose=ConsentPurpose.ACCOMPANIMENT,
            method=ConsentMethod.ORAL,
        )
        people.append(person)
    return people


def _session(structure, actor, day, capacity=20):
    programme = actions.create_programme(structure=structure, actor=actor, name="Oser coder")
    stage = actions.add_stage(
        programme=programme, structure=structure, actor=actor, name="Ateliers", kind=StageKind.WORKSHOP
    )
    return actions.schedule_session(
        stage=stage,
        structure=structure,
        actor=actor,
        slots=[(_at(day, 9), _at(day, 12))],
        capacity=capacity,
        place="Tiers-lieu",
    )


@pytest.fixture
def world(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    people = _people(a, actor)
    session = _session(a, actor, timezone.localdate() - timedelta(days=2))
    enrolments = [actions.enrol(session=session, person=p, structure=a, actor=actor) for p in people]
    actions.take_attendance(
        slot=session.slots.get(), marks={e.pk: "present" for e in enrolments}, structure=a, actor=actor
    )
    return a, actor, people, session, enrolments


def test_session_page_agrees_each_status_with_the_person(personas, world):
    a, actor, people, session, enrolments = world
    marcel, louise, camille, dominique = enrolments
    actions.finish(
        enrolment=marcel, structure=a, actor=actor, ended_on=session.starts_on, reason="reorientee"
    )
    actions.finish(enrolment=louise, structure=a, actor=actor, ended_on=session.starts_on, reason="sante")
    actions.finish(enrolment=camille, structure=a, actor=actor, ended_on=session.starts_on, reason="sante")
    text = _text(
        personas.client_for(personas.coordinator_a).get(reverse("session_detail", args=[session.pk]))
    )
    row = _row(text, "Marcel Brunet")
    assert "parti en cours d'étape" in row and "réorienté vers un autre acteur" in row
    assert "partie" not in row and "réorientée" not in row and "·e" not in row
    assert "présent 1/1" in row
    assert "partie en cours d'étape" in _row(text, "Louise Brunet") and "présente 1/1" in _row(text, "Louise")
    assert "parti·e en cours d'étape" in _row(text, "Camille Brunet")
    row = _row(text, "Dominique Brunet")
    assert "inscrit·e" in row and "présent·e 1/1" in row and "inscrite" not in row
    # The end-of-stage choices are about no one in particular: no feminine "Partie : …".
    assert "Partie :" not in text and "A quitté l'étape : santé" in text


def test_pathway_page_agrees_with_the_person(personas, world):
    people = world[2]
    client = personas.client_for(personas.case_worker_a)
    words = {"Marcel": "Inscrit", "Louise": "Inscrite", "Camille": "Inscrit·e", "Dominique": "Inscrit·e"}
    present = {
        "Marcel": "présent à",
        "Louise": "présente à",
        "Camille": "présent·e à",
        "Dominique": "présent·e à",
    }
    for person in people:
        text = _text(client.get(reverse("person_pathway", args=[person.pk])))
        status = text[text.index("Ateliers</strong>") :]
        assert f"{words[person.first_name]} · {present[person.first_name]} 1 créneau" in status, person.gender


def test_timeline_agrees_with_the_person(personas, world):
    people = world[2]
    client = personas.client_for(personas.case_worker_a)
    words = {
        "Marcel": "Inscrit :",
        "Louise": "Inscrite :",
        "Camille": "Inscrit·e :",
        "Dominique": "Inscrit·e :",
    }
    followed = {
        "Marcel": "suivi par",
        "Louise": "suivie par",
        "Camille": "suivi·e par",
        "Dominique": "suivi·e par",
    }
    for person in people:
        label = PersonEvent.objects.get(person=person, kind="parcours").label
        assert label.startswith(words[person.first_name] + " "), label
        text = _text(client.get(reverse("person_detail", args=[person.pk])))
        assert words[person.first_name] in text and followed[person.first_name] + " " in text


def test_timeline_never_says_par_twice(personas):
    a, actor = personas.structure_a, personas.case_worker_a.user
    referrer = referral_actions.create_referrer(
        structure=a, actor=actor, data={"name": "Boulangerie Martin", "kind": ReferrerKind.SHOP}
    )
    Client().post(
        reverse("public_referral", args=[referral_links.referrer_token(referrer)]),
        {
            "first_name": "Karim",
            "phone": "06 12 34 56 78",
            "commune": "64410",
            "needs": ["emploi"],
            "contact_consent": "on",
        },
    )
    referral = Referral.objects.get()
    person = referral_actions.welcome_referral(
        referral=referral, structure=a, actor=actor, data={"last_name": "Amrani"}
    )
    people_actions.give_consent(
        person=person,
        structure=a,
        actor=actor,
        purpose=ConsentPurpose.ACCOMPANIMENT,
        method=ConsentMethod.ORAL,
    )
    text = _text(personas.client_for(personas.case_worker_a).get(reverse("person_detail", args=[person.pk])))
    timeline = text[text.index('id="historique"') :]
    assert "Boulangerie Martin" in timeline
    lines = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(.*?)</li>", timeline)]
    assert any("Boulangerie Martin" in line for line in lines)
    assert all(line.count(" par ") <= 1 for line in lines), lines


def test_waiting_list_sms_needs_no_inclusive_point_and_writes_1er(personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    session = _session(a, actor, date(2027, 2, 1), capacity=1)  # a Monday, the first of the month
    first, second = _people(a, actor)[:2]
    people_actions.give_consent(
        person=second, structure=a, actor=actor, purpose=ConsentPurpose.CONTACT_SMS, method=ConsentMethod.ORAL
    )
    seat = actions.enrol(session=session, person=first, structure=a, actor=actor)
    actions.enrol(session=session, person=second, structure=a, actor=actor)
    actions.cancel(enrolment=seat, structure=a, actor=actor)
    body = OutboxMessage.objects.get(purpose="parcours_place").body
    assert "votre inscription est confirmée" in body and "·" not in body
    assert "lundi 1er février à 09h00" in body
    # The timeline line about Louise is feminine; Marcel's own enrolment was masculine.
    assert PersonEvent.objects.filter(
        person=second, label__startswith="Une place s'est libérée : inscrite à"
    ).exists()
    assert PersonEvent.objects.filter(person=first, label__startswith="Inscrit :").exists()


def test_referral_follow_up_uses_words_without_gender(personas):
    a, actor = personas.structure_a, personas.case_worker_a.user
    referrer = referral_actions.create_referrer(
        structure=a, actor=actor, data={"name": "Boulangerie Martin", "kind": ReferrerKind.SHOP}
    )
    token = referral_links.referrer_token(referrer)
    for index, (first_name, gender) in enumerate(PEOPLE):
        Client().post(
            reverse("public_referral", args=[token]),
            {
                "first_name": first_name,
                "phone": f"06 12 34 56 7{index}",
                "commune": "64410",
                "needs": ["emploi"],
                "contact_consent": "on",
                "share_outcome": "on",
            },
        )
        referral = Referral.objects.get(first_name=first_name)
        if index < 3:
            person = referral_actions.welcome_referral(
                referral=referral, structure=a, actor=actor, data={"last_name": "Brunet", "gender": gender}
            )
            assert person.gender == gender
    text = _text(Client().get(reverse("public_referral_follow_up", args=[token])))
    for first_name, _ in PEOPLE[:3]:
        row = _row(text, first_name)
        assert "accompagnement en cours" in row and "accompagné" not in row
    assert "demande reçue" in _row(text, "Dominique")


def test_inbox_and_referral_say_a_l_instant_then_the_largest_unit(personas):
    a, actor = personas.structure_a, personas.case_worker_a.user
    referrer = referral_actions.create_referrer(
        structure=a, actor=actor, data={"name": "Boulangerie Martin", "kind": ReferrerKind.SHOP}
    )
    Client().post(
        reverse("public_referral", args=[referral_links.referrer_token(referrer)]),
        {
            "first_name": "Karim",
            "phone": "06 12 34 56 78",
            "commune": "64410",
            "needs": ["emploi"],
            "contact_consent": "on",
        },
    )
    client = personas.client_for(personas.case_worker_a)
    referral = Referral.objects.get()
    inbox = _text(client.get(reverse("referral_inbox")))
    assert "reçue à l'instant" in inbox and "0 minute" not in inbox
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(days=23, hours=4))
    detail = _text(client.get(reverse("referral_detail", args=[referral.pk])))
    assert (
        "(il y a 3 semaines)" in detail.replace("\xa0", " ") and "jour" not in detail.split("(il y a")[1][:20]
    )


def test_roll_call_buttons_agree_with_each_person(personas, world):
    session = world[3]
    client = personas.client_for(personas.coordinator_a)
    text = _text(client.get(reverse("slot_roll_call", args=[session.slots.get().pk])))

    def buttons(name):
        start = text.index(name)
        return text[start : text.index("</fieldset>", start)]

    assert "Présent</label>" in buttons("Marcel Brunet") and "Excusé</label>" in buttons("Marcel Brunet")
    assert "Présente</label>" in buttons("Louise Brunet") and "Absente</label>" in buttons("Louise Brunet")
    assert "Présent·e</label>" in buttons("Dominique Brunet")


def test_dashboard_counts_departure_reasons_without_a_gender(personas, world):
    a, actor, _, session, enrolments = world
    actions.finish(
        enrolment=enrolments[0], structure=a, actor=actor, ended_on=session.starts_on, reason="reorientee"
    )
    rollup.refresh()
    programme = session.stage.programme
    text = _text(
        personas.client_for(personas.coordinator_a).get(reverse("programme_dashboard", args=[programme.pk]))
    )
    assert "réorientation vers un autre acteur : 1" in text and "réorientée" not in text


def test_person_file_situation_agrees_with_the_person(personas):
    a, actor = personas.structure_a, personas.case_worker_a.user
    client = personas.client_for(personas.case_worker_a)
    expected = {"M": "Demandeur d'emploi", "F": "Demandeuse d'emploi", "X": "Demandeur·se d'emploi"}
    for person, (gender, words) in zip(_people(a, actor), expected.items(), strict=False):
        person.gender, person.employment_status = gender, "chomeur"
        person.save()
        assert words in _text(client.get(reverse("person_detail", args=[person.pk])))


# --- Enrolment statuses: stored values unchanged, labels neutral, words agreeing with one person ---

ENROLMENT_WORDS = {
    # status: (man, woman, not recorded)
    "inscrite": ("inscrit", "inscrite", "inscrit·e"),
    "attente": ("liste d'attente",) * 3,
    "annulee": ("inscription annulée",) * 3,
    "terminee": ("étape terminée",) * 3,
    "partie": ("parti en cours d'étape", "partie en cours d'étape", "parti·e en cours d'étape"),
}


def test_enrolment_status_values_are_kept():
    from jalon.programmes.models import EnrolmentStatus

    assert set(EnrolmentStatus.values) == set(ENROLMENT_WORDS)


@pytest.mark.parametrize(("gender", "column"), [("M", 0), ("F", 1), ("X", 2), ("", 2)])
def test_enrolment_status_label_agrees_with_the_person(gender, column):
    from jalon.people.models import Person
    from jalon.programmes.models import Enrolment

    person = Person(first_name="Claude", last_name="Brunet", gender=gender)
    for status, words in ENROLMENT_WORDS.items():
        assert Enrolment(person=person, status=status).status_label == words[column], status


def test_enrolment_choices_are_about_no_one_in_particular():
    """Filters, column headers and exports show the choice labels: never a feminine-only word."""
    from jalon.programmes.models import EnrolmentStatus, LeftReason

    labels = {value: str(label) for value, label in EnrolmentStatus.choices}
    assert labels == {status: words[2] for status, words in ENROLMENT_WORDS.items()}
    reasons = [str(label) for label in LeftReason.labels]
    assert "réorientation vers un autre acteur" in reasons
    assert not any("réorientée" in r for r in reasons)


@pytest.mark.parametrize(
    ("gender", "word"), [("M", "réorienté"), ("F", "réorientée"), ("X", "réorienté·e"), ("", "réorienté·e")]
)
def test_departure_reason_agrees_with_the_person(gender, word):
    from jalon.people.models import Person
    from jalon.programmes.models import Enrolment

    person = Person(first_name="Claude", last_name="Brunet", gender=gender)
    enrolment = Enrolment(person=person, status="partie", left_reason="reorientee")
    assert enrolment.left_reason_label == f"{word} vers un autre acteur"
    assert Enrolment(person=person, status="partie", left_reason="sante").left_reason_label == "santé"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Karim DURAND", "de Karim DURAND"),
        ("Antoinette BARON", "d'Antoinette BARON"),
        ("Élodie MARTIN", "d'Élodie MARTIN"),
        ("Hélène ROUX", "d'Hélène ROUX"),
        ("Yasmine", "de Yasmine"),
        ("", "de "),
    ],
)
def test_de_elides_before_a_vowel(name, expected):
    from jalon.text import of

    assert of(name) == expected

"""Issue 5 in a real browser: a coordinator builds a 4-stage programme, schedules a session and
enrols people; a peer facilitator takes the roll call on a 360 px phone; the funnel moves.
Every programme screen is checked with axe-core at both widths."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jalon.people.models import Person
from jalon.programmes import actions, links, rollup
from jalon.programmes.models import Attendance, Programme

from ..factories import PersonFactory
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAGES = [
    ("Ateliers découverte", "atelier découverte"),
    ("SprintCamp", "bootcamp"),
    ("Simulateur d'entreprise", "simulateur d'entreprise"),
    ("Formation qualifiante", "formation qualifiante"),
]


def test_coordinator_builds_enrols_peer_calls_funnel_moves(page, phone_page, live_server, personas):
    a = personas.structure_a
    people = [PersonFactory(structure=a, last_name=f"Martin{i}", first_name=f"Prénom{i}") for i in range(3)]
    login(page, live_server, personas.coordinator_a.user.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Programmes"
    ).click()
    check_page(page)
    page.get_by_label("Nom du programme").fill("Ensemble à 100 %")
    page.get_by_role("button", name="Créer le programme").click()
    expect(page.get_by_role("status")).to_contain_text("Programme créé")
    for name, kind in STAGES:
        page.get_by_label("Nom de l'étape").fill(name)
        page.get_by_label("Type d'étape").select_option(label=kind)
        page.get_by_role("button", name="Ajouter l'étape").click()
        expect(page.get_by_role("status")).to_contain_text("Étape ajoutée")
    check_page(page)
    programme = Programme.objects.get(name="Ensemble à 100 %")
    assert list(programme.stages.values_list("name", flat=True)) == [n for n, _ in STAGES]

    # An entry rule on the SprintCamp, with the keyboard-friendly form.
    camp = programme.stages.get(position=2)
    card = page.locator(f"#etape-{camp.pk}")
    card.get_by_text("Ajouter une condition d'entrée").click()
    card.get_by_label("Condition").select_option(label="avoir suivi au moins N séances d'une étape")
    card.get_by_label("Nombre de séances").fill("3")
    card.get_by_label("De l'étape").select_option(label="Ateliers découverte")
    card.get_by_role("button", name=f"Ajouter la condition à {camp.name}").click()
    expect(page.locator(f"#etape-{camp.pk}")).to_contain_text(
        "au moins 3 séance(s) suivie(s) de « Ateliers découverte »"
    )

    # A workshop session of two half-days, yesterday (so the roll call is due).
    day = timezone.localdate() - timedelta(days=1)
    page.locator(f"#etape-{programme.stages.get(position=1).pk}").get_by_role(
        "link", name="Programmer une session"
    ).click()
    page.get_by_label("Créneaux").fill(f"{day.isoformat()} 09:00-12:00\n{day.isoformat()} 14:00-17:00")
    page.get_by_label("Places", exact=True).fill("12")
    page.get_by_label("Lieu").fill("Tiers-lieu de la gare")
    page.get_by_role("button", name="Programmer la session").click()
    expect(page.get_by_role("status")).to_contain_text("Session programmée")
    check_page(page)
    for person in people:
        page.get_by_label("Nom, e-mail ou téléphone").fill(person.last_name)
        page.get_by_role("button", name="Chercher").click()
        page.get_by_role("button", name=f"Inscrire {person.full_name}").click()
        expect(page.get_by_role("status")).to_contain_text("Inscription enregistrée")
    expect(page.get_by_role("heading", name="Participant·es (3)")).to_be_visible()
    check_page(page)

    # An alumna becomes a peer and leads the session; the coordinator hands her the link.
    awa = PersonFactory(structure=a, first_name="Awa", last_name="Diop")
    actions.mark_peer(person=awa, structure=a, actor=None)
    page.reload()
    page.get_by_text("Ajouter une personne qui anime").click()
    page.get_by_label("Pair·e", exact=True).select_option(label=awa.full_name)
    page.get_by_role("button", name="Ajouter ce·tte pair·e").click()
    link = page.get_by_label("Lien d'appel à lui envoyer").input_value()
    session = programme.stages.get(position=1).sessions.get()
    # The token is timestamped: compare what it carries, not its text.
    assert links.resolve_roll_call(urlsplit(link).path.split("/")[2]) == (session.pk, awa.pk)

    # The peer, on her phone, without an account: two absent... then everyone else present.
    phone_page.goto(live_server.url + urlsplit(link).path)
    check_page(phone_page)
    first = people[0]
    phone_page.get_by_role(
        "group", name=re.compile(f"^{first.first_name} {first.last_name[0]}\\.")
    ).get_by_text("Absent·e").click()
    phone_page.get_by_role("button", name="Enregistrer, les autres présent·es").click()
    expect(phone_page.get_by_role("status")).to_contain_text("Appel enregistré (3 changement(s))")
    check_page(phone_page)
    assert sorted(Attendance.objects.values_list("status", flat=True)) == ["absent", "present", "present"]
    assert Attendance.objects.filter(recorded_by_peer=awa).count() == 3

    # The funnel has already moved: each action queued a refresh when it committed (jobs run
    # inline in tests), no waiting for the ten-minute safety net.
    page.goto(live_server.url + reverse("programme_dashboard", args=[programme.pk]))
    expect(page.get_by_text("Les chiffres n'ont pas encore été calculés")).to_have_count(0)
    row = page.get_by_role("row", name=re.compile("^Ateliers découverte"))
    expect(row.get_by_role("cell").nth(0)).to_have_text("3")  # people entered
    expect(row).to_contain_text("67 %")  # the morning slot: 2 present of 3 marked
    check_page(page)


def test_programme_screens_are_accessible(page, phone_page, live_server, personas):
    a, actor = personas.structure_a, personas.coordinator_a.user
    programme = actions.create_programme(
        structure=a, actor=actor, name="Tremplin Numérique", is_template=True
    )
    stage = actions.add_stage(programme=programme, structure=a, actor=actor, name="Module 1", kind="module")
    start = timezone.now() + timedelta(days=3)
    session = actions.schedule_session(
        stage=stage,
        structure=a,
        actor=actor,
        slots=[(start, start + timedelta(hours=3))],
        capacity=2,
        place="Pau",
    )
    people = [PersonFactory(structure=a) for _ in range(3)]
    for person in people:
        actions.enrol(session=session, person=person, structure=a, actor=actor)
    actions.split_teams(session=session, structure=a, actor=actor, teams=2)
    actions.record_exit(
        programme=programme,
        person=people[0],
        structure=a,
        actor=actor,
        category="durable",
        subtype="cdi",
        exited_on=timezone.localdate(),
    )
    rollup.refresh()
    invitation, _ = actions.invite(session=session, person=people[2], structure=a, actor=actor)
    paths = [
        reverse("programme_list"),
        reverse("programme_detail", args=[programme.pk]),
        reverse("session_create", args=[stage.pk]),
        reverse("stage_proposals", args=[stage.pk]),
        reverse("session_detail", args=[session.pk]) + "?q=" + Person.objects.first().last_name,
        reverse("slot_roll_call", args=[session.slots.get().pk]),
        reverse("person_pathway", args=[people[0].pk]),
        reverse("programme_dashboard", args=[programme.pk]),
    ]
    for viewport in (page, phone_page):
        login(viewport, live_server, personas.coordinator_a.user.email)
        for path in paths:
            response = viewport.goto(live_server.url + path)
            assert response.status == 200, path
            check_page(viewport)
        viewport.context.clear_cookies()
        viewport.goto(live_server.url + urlsplit(links.registration_url(invitation)).path)
        check_page(viewport)

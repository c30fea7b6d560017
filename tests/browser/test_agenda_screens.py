"""axe-core and 360 px reflow on the agenda and indicator screens, staff and public, at desktop and
phone width."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jalon.agenda import actions, links
from jalon.agenda.models import AppointmentKind
from jalon.directory.importer import import_file
from jalon.referrals import actions as referral_actions
from jalon.referrals.models import ReferralSource
from tests.directory.test_import_export import SERVICE, STRUCTURE, dump

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agenda_world(personas, person_a):
    a = personas.structure_a
    place = actions.create_place(
        structure=a, actor=None, name="Tiers-lieu Gare à idées", address="1 bd du Grand Cerf"
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    for host, weekday, label in (
        (a, tomorrow.weekday(), "Accueil numérique"),
        (personas.structure_b, (tomorrow.weekday() + 1) % 7, "Permanence emploi"),
    ):
        actions.add_permanence(
            place=place,
            structure=a,
            actor=None,
            data={
                "host": host,
                "label": label,
                "weekday": weekday,
                "start_time": time(9),
                "end_time": time(12),
                "slot_minutes": 30,
                "valid_from": timezone.localdate() - timedelta(days=30),
            },
        )
    referral = referral_actions.create_referral(
        structure=a,
        referrer=None,
        source=ReferralSource.STAFF,
        data={"first_name": "Nadia", "phone": "06 12 34 56 78", "contact_consent": True},
    )
    start = timezone.now() + timedelta(days=2)
    collective = actions.schedule(
        structure=a,
        actor=None,
        title="Information collective",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        kind=AppointmentKind.COLLECTIVE,
        capacity=12,
    )
    actions.add_participant(appointment=collective, structure=a, actor=None, referral=referral, invite=False)
    past = actions.schedule(
        structure=a,
        actor=personas.case_worker_a.user,
        title="Premier accueil",
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=2),
        now=timezone.now() - timedelta(days=1),  # fixed the day before
    )
    actions.add_participant(appointment=past, structure=a, actor=None, person=person_a, invite=False)
    # The offer page lists a service (no INSEE code: browser tests keep only a few communes).
    structure = {k: v for k, v in STRUCTURE.items() if k != "code_insee"}
    service = {k: v for k, v in SERVICE.items() if k != "code_insee"}
    assert import_file("offre.json", dump((structure,), (service,)), owner=a).ok
    return {"place": place, "referral": referral, "collective": collective, "past": past, "person": person_a}


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_agenda_screens_are_accessible(request, viewport, live_server, personas, agenda_world):
    page = request.getfixturevalue(viewport)
    w = agenda_world
    login(page, live_server, personas.admin_a.user.email)
    for path in (
        reverse("agenda"),
        reverse("agenda") + f"?semaine={(timezone.localdate() + timedelta(days=7)).isoformat()}",
        reverse("appointment_create") + f"?demande={w['referral'].pk}",
        reverse("appointment_detail", args=[w["collective"].pk]),
        reverse("appointment_detail", args=[w["past"].pk]),
        reverse("appointment_edit", args=[w["collective"].pk]),
        reverse("appointment_past_create") + f"?demande={w['referral'].pk}",
        reverse("place_list"),
        reverse("place_detail", args=[w["place"].pk]),
        reverse("person_appointments", args=[w["person"].pk]),
        reverse("indicators"),
        reverse("directory_offer"),
        reverse("indicators") + "?du=2026-05-10&au=2026-05-01",  # the error state
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        check_page(page)
    # The form's error state.
    page.goto(live_server.url + reverse("appointment_create"))
    page.get_by_label("Objet").fill("")
    page.get_by_role("button", name="Fixer le rendez-vous").click()
    expect(page.get_by_text("Indiquez la date, ou choisissez un créneau libre.", exact=True)).to_be_visible()
    check_page(page)
    # Attendance with the keyboard alone.
    page.goto(live_server.url + reverse("appointment_detail", args=[w["past"].pk]))
    page.get_by_role("button", name="Vu·e : ").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Présence notée : vu·e.")

    # The public self-booking page: slots, then the confirmation, then a broken link.
    walk_in = referral_actions.create_referral(
        structure=personas.structure_a,
        referrer=None,
        source=ReferralSource.SELF,
        data={"first_name": "Karim", "email": "karim@example.org", "contact_consent": True},
    )
    token = links.booking_token(structure=personas.structure_a, referral=walk_in)
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("public_booking", kwargs={"token": token}))
    check_page(page)
    page.get_by_role("button", name="Réserver ce créneau").click()  # nothing chosen: a French message
    expect(page.get_by_text("Ce champ est obligatoire.", exact=True)).to_be_visible()
    check_page(page)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.get_by_role("status")).to_contain_text("est fixé")
    check_page(page)
    response = page.goto(live_server.url + reverse("public_booking", kwargs={"token": token[:-4] + "abcd"}))
    assert response.status == 404
    check_page(page)

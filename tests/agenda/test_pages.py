"""Agenda pages: week, booking from a referral or a file, attendance, rota, self-booking link, API."""

import html
import re
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from jalon.agenda import actions, links
from jalon.agenda.models import Appointment, AppointmentKind, Outcome, Participant, Permanence
from jalon.audit.models import AuditEvent
from jalon.notifications.models import OutboxMessage
from jalon.referrals import actions as referral_actions
from jalon.referrals.models import ReferralSource, ReferralStatus
from jalon.users.models import ApiToken
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def rota(personas):
    place = actions.create_place(structure=personas.structure_a, actor=None, name="Tiers-lieu Gare")
    permanence = actions.add_permanence(
        place=place,
        structure=personas.structure_a,
        actor=None,
        data={
            "host": personas.structure_a,
            "label": "Accueil numérique",
            "weekday": (timezone.localdate() + timedelta(days=2)).weekday(),
            "start_time": time(9, 0),
            "end_time": time(12, 0),
            "slot_minutes": 30,
            "valid_from": timezone.localdate() - timedelta(days=60),
        },
    )
    return place, permanence


@pytest.fixture
def referral(personas):
    return referral_actions.create_referral(
        structure=personas.structure_a,
        referrer=None,
        source=ReferralSource.STAFF,
        data={"first_name": "Yanis", "phone": "06 11 22 33 44", "contact_consent": True},
    )


def test_book_a_free_slot_from_the_referral_then_note_attendance(personas, rota, referral):
    client = personas.client_for(personas.case_worker_a)
    detail = client.get(reverse("referral_detail", args=[referral.pk]))
    assert f"/agenda/nouveau/?demande={referral.pk}" in text(detail)
    form = client.get(reverse("appointment_create") + f"?demande={referral.pk}")
    slot = actions.free_slots(personas.structure_a, start=timezone.localdate(), days=21)[0]
    assert slot.key in text(form)
    response = client.post(
        reverse("appointment_create"),
        {
            "demande": referral.pk,
            "slot": slot.key,
            "kind": "individuel",
            "title": "Premier accueil",
            "duration": 45,
            "invite": "on",
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "appointment_detail", args=[appointment.pk]
    )
    assert appointment.permanence == rota[1] and appointment.starts_at == slot.starts_at
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.APPOINTMENT
    assert OutboxMessage.objects.filter(purpose="rdv_invitation", channel="sms").exists()
    page = text(client.get(reverse("appointment_detail", args=[appointment.pk])))
    assert "YANIS" not in page and "Yanis" in page and "invitation envoyée" in page
    assert "Annuler le rendez-vous et prévenir" in page
    # Before it starts, only "excusé" may be noted.
    participant = appointment.participants.get()
    client.post(
        reverse("appointment_outcome", args=[appointment.pk, participant.pk]),
        {"outcome": "vu"},
    )
    participant.refresh_from_db()
    assert participant.outcome == Outcome.PENDING
    Appointment.objects.update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now(), permanence=None
    )
    client.post(
        reverse("appointment_outcome", args=[appointment.pk, participant.pk]),
        {"outcome": "vu"},
    )
    participant.refresh_from_db()
    assert participant.outcome == Outcome.SEEN
    # Once it has started, it can no longer be cancelled from its page.
    assert "Annuler le rendez-vous" not in text(
        client.get(reverse("appointment_detail", args=[appointment.pk]))
    )
    week = text(client.get(reverse("agenda") + f"?semaine={timezone.localdate().isoformat()}"))
    assert "Premier accueil" in week and "Yanis" in week


def test_a_bad_form_says_why_in_french_and_books_nothing(personas, rota, referral):
    client = personas.client_for(personas.case_worker_a)
    response = client.post(
        reverse("appointment_create"),
        {"demande": referral.pk, "slot": "", "kind": "individuel", "title": "", "duration": 45},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Indiquez la date, ou choisissez un créneau libre." in page and "Indiquez l'heure." in page
    response = client.post(
        reverse("appointment_create"),
        {
            "demande": referral.pk,
            "slot": f"{rota[1].pk}:12",
            "kind": "individuel",
            "title": "X",
            "duration": 45,
        },
    )
    assert "n'est plus proposé" in text(response) or "Sélectionnez un choix valide" in text(response)
    assert not Appointment.objects.exists()


def test_collective_session_from_the_file_and_ics(personas, person_a, rota):
    client = personas.client_for(personas.case_worker_a)
    day = timezone.localdate() + timedelta(days=5)
    response = client.post(
        reverse("appointment_create"),
        {
            "kind": "collectif",
            "title": "Information collective",
            "day": day.isoformat(),
            "start": "14:00",
            "duration": 120,
            "capacity": 2,
            "place": rota[0].pk,
        },
    )
    appointment = Appointment.objects.get(kind=AppointmentKind.COLLECTIVE)
    assert response.status_code == 302 and appointment.capacity == 2
    page = client.get(reverse("person_appointments", args=[person_a.pk]))
    assert "Information collective" in text(page)
    client.post(reverse("person_appointment_join", args=[person_a.pk, appointment.pk]))
    assert appointment.participants.filter(person=person_a).exists()
    assert AuditEvent.objects.filter(person=person_a, detail="rendez-vous").exists()
    ics = client.get(reverse("appointment_ics", args=[appointment.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("Information collective")


def test_rota_kept_by_the_place_owner_with_a_partner(personas):
    admin = personas.client_for(personas.admin_a)
    response = admin.post(reverse("place_list"), {"name": "Tiers-lieu", "address": "12 rue de la Gare"})
    place = personas.structure_a.places.get()
    assert response.url == reverse("place_detail", args=[place.pk])
    data = {
        "host": personas.structure_b.pk,
        "label": "France Travail",
        "weekday": 2,
        "start_time": "09:00",
        "end_time": "12:00",
        "slot_minutes": 30,
        "valid_from": timezone.localdate().isoformat(),
        "self_booking": "on",
    }
    admin.post(reverse("place_permanence_add", args=[place.pk]), data)
    permanence = Permanence.objects.get()
    assert permanence.host == personas.structure_b
    # Bad input: end before start, in French, nothing written.
    bad = admin.post(
        reverse("place_permanence_add", args=[place.pk]), {**data, "weekday": 3, "end_time": "08:00"}
    )
    assert "La fin doit être après le début." in text(bad) and Permanence.objects.count() == 1
    # The partner sees the place and its slots, not the rota form.
    partner = personas.client_for(personas.case_worker_b)
    assert partner.get(reverse("place_detail", args=[place.pk])).status_code == 200
    assert "Ajouter au planning" not in text(partner.get(reverse("place_detail", args=[place.pk])))
    assert actions.free_slots(personas.structure_b, start=timezone.localdate(), days=7)
    # A case worker cannot change the rota.
    assert (
        personas.client_for(personas.case_worker_a).post(reverse("place_list"), {"name": "X"}).status_code
        == 403
    )
    admin.post(
        reverse("permanence_end", args=[permanence.pk]), {"last_day": timezone.localdate().isoformat()}
    )
    permanence.refresh_from_db()
    assert permanence.valid_until == timezone.localdate()


def test_self_booking_through_the_link_at_no_account(personas, rota, referral):
    client = personas.client_for(personas.case_worker_a)
    client.post(reverse("referral_booking_link", args=[referral.pk]))
    sms = OutboxMessage.objects.get(purpose="rdv_lien")
    path = re.search(r"(/rdv/[^\s]+/)", sms.body).group(1)
    public = Client()
    page = public.get(path)
    assert page.status_code == 200 and "Bonjour Yanis" in text(page)
    slot = actions.free_slots(personas.structure_a, start=timezone.localdate(), days=21, self_booking=True)[2]
    response = public.post(path, {"slot": slot.key})
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.booked_by_self and participant.appointment.starts_at == slot.starts_at
    confirmation = text(public.get(path))
    assert "est fixé" in confirmation
    assert public.get(path + "rendez-vous.ics")["Content-Type"].startswith("text/calendar")
    # A second booking through the same link is not offered.
    public.post(
        path,
        {
            "slot": actions.free_slots(
                personas.structure_a, start=timezone.localdate(), days=21, self_booking=True
            )[0].key
        },
    )
    assert Participant.objects.count() == 1


@pytest.mark.parametrize(
    "mangle, status, words",
    [
        (lambda t: t[:-3] + "abc", 404, "n'est pas valide"),
        (lambda t: "n'importe-quoi", 404, "n'est pas valide"),
    ],
)
def test_a_tampered_booking_link_is_refused_plainly(personas, rota, referral, mangle, status, words):
    token = links.booking_token(structure=personas.structure_a, referral=referral)
    response = Client().get(reverse("public_booking", kwargs={"token": mangle(token)}))
    assert response.status_code == status and words in text(response)


def test_another_structure_sees_none_of_it(personas, rota, referral):
    appointment = actions.schedule(
        structure=personas.structure_a,
        actor=None,
        title="Secret",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    other = personas.client_for(personas.case_worker_b)
    for name in ("appointment_detail", "appointment_ics"):
        assert other.get(reverse(name, args=[appointment.pk])).status_code == 404
    assert "Secret" not in text(other.get(reverse("agenda") + f"?semaine={timezone.localdate().isoformat()}"))
    assert other.post(reverse("appointment_cancel", args=[appointment.pk])).status_code == 404
    appointment.refresh_from_db()
    assert not appointment.is_cancelled


def _api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='test')[1]}")


def test_api_appointments(personas, rota, referral, person_a):
    api = _api(personas.case_worker_a.user)
    slots = api.get("/api/v1/appointments/creneaux?jours=21").json()
    assert slots and slots[0]["key"]
    created = api.post(
        "/api/v1/appointments",
        {"title": "Premier accueil", "creneau": slots[0]["key"], "referral_id": referral.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["permanence_id"] == rota[1].pk and body["participants"][0]["referral_id"] == referral.pk
    again = api.post(
        "/api/v1/appointments",
        {"title": "Premier accueil", "creneau": slots[0]["key"], "person_id": person_a.pk},
        content_type="application/json",
    )
    assert again.status_code == 422 and "vient d'être réservé" in again.json()["detail"]
    listed = api.get(f"/api/v1/appointments?du={timezone.localdate().isoformat()}").json()["items"]
    assert [a["id"] for a in listed] == [body["id"]]
    participant_id = body["participants"][0]["id"]
    early = api.post(
        f"/api/v1/appointments/{body['id']}/participants/{participant_id}/presence",
        {"outcome": "vu"},
        content_type="application/json",
    )
    assert early.status_code == 422 and "une fois le rendez-vous commencé" in early.json()["detail"]
    cancelled = api.post(f"/api/v1/appointments/{body['id']}/annulation")
    assert cancelled.json()["cancelled_at"]
    outsider = _api(personas.case_worker_b.user)
    assert outsider.get(f"/api/v1/appointments/{body['id']}").status_code == 404
    assert outsider.get("/api/v1/appointments").json()["items"] == []
    bad = api.post(
        "/api/v1/appointments", {"title": "X", "person_id": 987654}, content_type="application/json"
    )
    assert bad.status_code == 422 and "Personne inconnue" in bad.json()["detail"]


def _grow(personas, n):
    start = timezone.now().replace(hour=10) + timedelta(days=1)
    for i in range(n):
        appointment = actions.schedule(
            structure=personas.structure_a,
            actor=None,
            title=f"Rdv {i}",
            starts_at=start + timedelta(minutes=i),
            ends_at=start + timedelta(minutes=i + 30),
            kind=AppointmentKind.COLLECTIVE,
            capacity=3,
        )
        for _ in range(2):
            person = PersonFactory(structure=personas.structure_a)
            actions.add_participant(
                appointment=appointment,
                structure=personas.structure_a,
                actor=None,
                person=person,
                invite=False,
            )


PAGES = [
    (
        "week",
        lambda ctx: reverse("agenda") + f"?semaine={(timezone.localdate() + timedelta(days=1)).isoformat()}",
        7,
    ),
    ("appointment", lambda ctx: reverse("appointment_detail", args=[ctx["appointment"].pk]), 6),
    ("places", lambda ctx: reverse("place_list"), 4),
    ("place", lambda ctx: reverse("place_detail", args=[ctx["place"].pk]), 5),
    ("person's appointments", lambda ctx: reverse("person_appointments", args=[ctx["person"].pk]), 7),
    ("API list", lambda ctx: "/api/v1/appointments", 7),
]


def test_pages_run_the_same_number_of_queries_at_n_and_10n(personas, rota):
    client = personas.client_for(personas.case_worker_a)
    client.get(reverse("home"))
    counts = {}
    for n in (2, 20):
        _grow(personas, n)
        ctx = {
            "appointment": Appointment.objects.last(),
            "place": rota[0],
            "person": Participant.objects.last().person,
        }
        for label, url, _ in PAGES:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(ctx)).status_code == 200, label
            counts.setdefault(label, []).append(len(queries))
    report = "\n".join(
        f"{label:24} {a:3} → {b:3} (bound {bound})"
        for (label, _, bound), (a, b) in zip(PAGES, counts.values(), strict=True)
    )
    print(report)
    assert all(a == b for a, b in counts.values()), report
    assert [a for a, _ in counts.values()] == [bound for _, _, bound in PAGES], report


def test_ids_in_the_query_or_body_stay_inside_the_structure(personas, referral):
    theirs = PersonFactory(structure=personas.structure_b)
    their_referral = referral_actions.create_referral(
        structure=personas.structure_b,
        referrer=None,
        source=ReferralSource.STAFF,
        data={"first_name": "Sam", "phone": "06 99 88 77 66", "contact_consent": True},
    )
    client = personas.client_for(personas.case_worker_a)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    body = {"kind": "individuel", "title": "Accueil", "day": day, "start": "10:00", "duration": 45}
    assert client.get(reverse("appointment_create") + f"?personne={theirs.pk}").status_code == 404
    assert client.post(reverse("appointment_create"), {**body, "personne": theirs.pk}).status_code == 404
    assert (
        client.post(reverse("appointment_create"), {**body, "demande": their_referral.pk}).status_code == 404
    )
    assert not Appointment.objects.exists()


# --- Past dates, appointments already held, changes ---------------------------------------------


def _paris(moment) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return local.date().isoformat(), local.strftime("%H:%M")


def test_a_past_date_is_refused_by_the_page_and_the_api_and_nothing_is_sent(personas, rota, referral):
    client = personas.client_for(personas.case_worker_a)
    for moment in (timezone.now() - timedelta(minutes=30), timezone.now() - timedelta(days=3)):
        day, hour = _paris(moment)
        response = client.post(
            reverse("appointment_create"),
            {
                "demande": referral.pk,
                "kind": "individuel",
                "title": "Premier accueil",
                "day": day,
                "start": hour,
                "duration": 45,
                "invite": "on",
            },
        )
        assert response.status_code == 200
        assert "Cette date est déjà passée" in text(response)
    api = _api(personas.case_worker_a.user)
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    # Without an offset, the time is read in Paris, as on the pages: half an hour ago is past.
    naive = timezone.localtime(timezone.now() - timedelta(minutes=30)).replace(tzinfo=None).isoformat()
    for starts_at in (yesterday, naive):
        refused = api.post(
            "/api/v1/appointments",
            {"title": "Accueil", "starts_at": starts_at, "referral_id": referral.pk},
            content_type="application/json",
        )
        assert refused.status_code == 422 and "déjà passée" in refused.json()["detail"], starts_at
    assert not Appointment.objects.exists() and not OutboxMessage.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_a_past_slot_cannot_be_chosen_through_the_booking_link(personas, rota, referral):
    token = links.booking_token(structure=personas.structure_a, referral=referral)
    permanence = rota[1]
    last_week = timezone.localdate() + timedelta(days=2) - timedelta(days=7)
    past_slot = actions.Slot(permanence, permanence.slots_on(last_week)[0])
    response = Client().post(reverse("public_booking", kwargs={"token": token}), {"slot": past_slot.key})
    assert response.status_code == 200 and "n'est plus libre" in text(response)
    assert not Appointment.objects.exists() and not OutboxMessage.objects.exists()


def test_noting_an_appointment_already_held_from_the_file(personas, person_a, referral):
    client = personas.client_for(personas.case_worker_a)
    page = text(client.get(reverse("person_appointments", args=[person_a.pk])))
    url = reverse("appointment_past_create") + f"?personne={person_a.pk}"
    assert url in page.replace("&amp;", "&")
    assert "Aucun message n'est envoyé" in text(client.get(url))
    day, hour = _paris(timezone.now() - timedelta(days=2))
    body = {"personne": person_a.pk, "day": day, "start": hour, "duration": 30, "title": "Accueil"}
    response = client.post(reverse("appointment_past_create"), {**body, "outcome": "vu"})
    assert response.status_code == 302 and response.url == reverse("person_appointments", args=[person_a.pk])
    participant = Participant.objects.get()
    assert participant.person == person_a and participant.outcome == Outcome.SEEN
    listed = text(client.get(reverse("person_appointments", args=[person_a.pk])))
    assert "Accueil" in listed and "Vu·e" in listed
    # A date to come is not "already held": refused, nothing written.
    day, hour = _paris(timezone.now() + timedelta(days=2))
    response = client.post(
        reverse("appointment_past_create"), {**body, "day": day, "start": hour, "outcome": "vu"}
    )
    assert "pas encore eu lieu" in text(response) and Participant.objects.count() == 1
    # From a referral too, and "n'a pas eu lieu" may be what happened.
    day, hour = _paris(timezone.now() - timedelta(hours=3))
    client.post(
        reverse("appointment_past_create"),
        {
            "demande": referral.pk,
            "day": day,
            "start": hour,
            "duration": 30,
            "title": "Rdv",
            "outcome": "non_tenu",
        },
    )
    assert Participant.objects.get(referral=referral).outcome == Outcome.NOT_HELD
    assert not OutboxMessage.objects.exists()
    theirs = PersonFactory(structure=personas.structure_b)
    other = reverse("appointment_past_create")
    assert client.get(other + f"?personne={theirs.pk}").status_code == 404
    assert client.post(other, {**body, "personne": theirs.pk, "outcome": "vu"}).status_code == 404
    assert client.get(other).status_code == 404
    assert Participant.objects.count() == 2


def test_editing_an_appointment_tells_the_person_once(personas, rota, referral):
    place = rota[0]
    start = timezone.now() + timedelta(days=4)
    appointment = actions.schedule(
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        title="Premier accueil",
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        place=place,
    )
    actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, referral=referral
    )
    client = personas.client_for(personas.case_worker_a)
    detail = text(client.get(reverse("appointment_detail", args=[appointment.pk])))
    assert reverse("appointment_edit", args=[appointment.pk]) in detail
    form = text(client.get(reverse("appointment_edit", args=[appointment.pk])))
    day, hour = _paris(start)
    assert f'value="{day}"' in form and f'value="{hour}"' in form
    new_day, new_hour = _paris(start + timedelta(days=1))
    body = {
        "day": new_day,
        "start": new_hour,
        "duration": 45,
        "title": "Premier accueil",
        "place": place.pk,
        "location_note": "Salle 2",
        "organiser": personas.coordinator_a.user.pk,
    }
    response = client.post(reverse("appointment_edit", args=[appointment.pk]), body, follow=True)
    assert "Les personnes attendues sont prévenues" in text(response)
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at).date().isoformat() == new_day
    assert appointment.organiser == personas.coordinator_a.user and appointment.location_note == "Salle 2"
    assert OutboxMessage.objects.filter(purpose="rdv_modification", channel="sms").count() == 1
    # The same save again: nothing changes, nothing more is sent.
    response = client.post(reverse("appointment_edit", args=[appointment.pk]), body, follow=True)
    assert "Rien n'a changé" in text(response)
    assert OutboxMessage.objects.filter(purpose="rdv_modification").count() == 1
    # A past date: said in French on the date field, nothing changes.
    past_day, past_hour = _paris(timezone.now() - timedelta(days=1))
    response = client.post(
        reverse("appointment_edit", args=[appointment.pk]), {**body, "day": past_day, "start": past_hour}
    )
    assert response.status_code == 200 and "Cette date est déjà passée" in text(response)
    assert Appointment.objects.get().starts_at == appointment.starts_at
    # Another structure: 404, whatever the method; a read-only member may not change it.
    other = personas.client_for(personas.case_worker_b)
    assert other.get(reverse("appointment_edit", args=[appointment.pk])).status_code == 404
    assert other.post(reverse("appointment_edit", args=[appointment.pk]), body).status_code == 404
    reader = personas.client_for(personas.read_only_a)
    assert reader.post(reverse("appointment_edit", args=[appointment.pk]), body).status_code == 403
    assert OutboxMessage.objects.filter(purpose="rdv_modification").count() == 1


def test_an_appointment_that_did_not_take_place_is_noted_on_its_page(personas, person_a):
    start = timezone.now() - timedelta(hours=2)
    appointment = actions.schedule(
        structure=personas.structure_a,
        actor=None,
        title="Accueil",
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        now=start - timedelta(days=1),
    )
    participant = actions.add_participant(
        appointment=appointment, structure=personas.structure_a, actor=None, person=person_a, invite=False
    )
    client = personas.client_for(personas.case_worker_a)
    assert "N'a pas eu lieu" in text(client.get(reverse("appointment_detail", args=[appointment.pk])))
    client.post(
        reverse("appointment_outcome", args=[appointment.pk, participant.pk]), {"outcome": "non_tenu"}
    )
    participant.refresh_from_db()
    assert participant.outcome == Outcome.NOT_HELD


def test_api_changes_an_appointment_and_notes_a_past_one(personas, rota, referral, person_a):
    api = _api(personas.case_worker_a.user)
    start = timezone.now() + timedelta(days=4)
    created = api.post(
        "/api/v1/appointments",
        {"title": "Accueil", "starts_at": start.isoformat(), "referral_id": referral.pk},
        content_type="application/json",
    ).json()
    url = f"/api/v1/appointments/{created['id']}"
    moved = start + timedelta(days=1)
    for _ in range(2):  # the same change twice: told once
        response = api.patch(
            url, {"starts_at": moved.isoformat(), "place_id": rota[0].pk}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
    assert response.json()["place_id"] == rota[0].pk
    assert OutboxMessage.objects.filter(purpose="rdv_modification", channel="sms").count() == 1
    past = api.patch(
        url, {"starts_at": (timezone.now() - timedelta(days=1)).isoformat()}, content_type="application/json"
    )
    assert past.status_code == 422 and "déjà passée" in past.json()["detail"]
    swapped = api.patch(url, {"person_id": person_a.pk}, content_type="application/json")
    assert [p["person_id"] for p in swapped.json()["participants"]] == [person_a.pk]
    outsider = _api(personas.case_worker_b.user)
    assert outsider.patch(url, {"title": "Fuite"}, content_type="application/json").status_code == 404
    held = (timezone.now() - timedelta(days=1)).isoformat()
    noted = api.post(
        "/api/v1/appointments/passes",
        {"title": "Appel", "starts_at": held, "person_id": person_a.pk, "outcome": "absent"},
        content_type="application/json",
    )
    assert noted.status_code == 201 and noted.json()["participants"][0]["outcome"] == "absent"
    assert not OutboxMessage.objects.filter(purpose="rdv_invitation", to=person_a.phone).exists()

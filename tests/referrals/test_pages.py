"""The inbox, intake, plan and orientation screens, through the test client."""

import html
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jalon.people.models import Person
from jalon.referrals import actions
from jalon.referrals.models import (
    Intake,
    Orientation,
    OrientationTarget,
    PlanAction,
    PlanAxis,
    Referral,
    ReferralSource,
    ReferralStatus,
    ReferrerKind,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _referral(structure, **extra):
    data = {"first_name": "Awa", "phone": "0612345678", "contact_consent": True, **extra}
    return actions.create_referral(
        structure=structure, referrer=extra.pop("referrer", None), source=ReferralSource.STAFF, data=data
    )


def text(response):
    return html.unescape(response.content.decode())


def test_inbox_shows_open_referrals_of_the_structure_and_filters(personas):
    a, worker = personas.structure_a, personas.case_worker_a.user
    new = _referral(a, first_name="Nadia")
    closed = _referral(a, first_name="Fermée", phone="0612345679")
    actions.change_referral_status(
        referral=closed, structure=a, actor=worker, status="sans_suite", closed_reason="refus"
    )
    _referral(personas.structure_b, first_name="Ailleurs")
    client = personas.client_for(personas.case_worker_a)
    page = text(client.get(reverse("referral_inbox")))
    assert "Nadia" in page and "Fermée" not in page and "Ailleurs" not in page
    assert "Fermée" in text(client.get(reverse("referral_inbox") + "?statut=sans_suite"))
    assert "Nadia" not in text(client.get(reverse("referral_inbox") + "?qui=moi"))
    actions.assign_referral(referral=new, structure=a, actor=worker, user=worker)
    assert "Nadia" in text(client.get(reverse("referral_inbox") + "?qui=moi"))


def test_inbox_pages_with_a_cursor(personas):
    for i in range(27):
        _referral(personas.structure_a, first_name=f"P{i:02d}", phone=f"06123456{i:02d}")
    client = personas.client_for(personas.case_worker_a)
    first = client.get(reverse("referral_inbox"))
    assert first.context["next_cursor"] and len(first.context["referrals"]) == 25
    second = client.get(reverse("referral_inbox") + "?apres=" + first.context["next_cursor"])
    names = [r.first_name for r, _ in second.context["referrals"]]
    assert names == ["P01", "P00"] and second.context["next_cursor"] is None


def _names(response) -> set[str]:
    return {referral.first_name for referral, _ in response.context["referrals"]}


def test_inbox_search_by_name_or_phone_whatever_the_accents_case_or_format(personas):
    a = personas.structure_a
    _referral(a, first_name="Élodie", last_name="Lefèvre", phone="06 12 34 56 78")
    _referral(a, first_name="Elodie", last_name="Martin", phone="0699887766")
    _referral(a, first_name="Rémi", last_name="Lefebvre", phone="+33 7 81 22 33 44")
    _referral(a, first_name="Madeleine", last_name="Bourg", phone="0688776655")
    _referral(personas.structure_b, first_name="Élodie", last_name="Lefèvre", phone="06 12 34 56 78")
    client = personas.client_for(personas.case_worker_a)
    inbox = reverse("referral_inbox")
    page = text(client.get(inbox))
    assert 'name="q"' in page and "Nom ou téléphone" in page
    cases = {
        "elodie": {"Élodie", "Elodie"},
        "ÉLODIE lefevre": {"Élodie"},
        "lefèvre élodie": {"Élodie"},
        "lefe": {"Élodie", "Rémi"},
        "lodie": set(),  # a word is found by its start: "adele" is not Madeleine
        "06 12 34 56 78": {"Élodie"},
        "0612345678": {"Élodie"},
        "+33612345678": {"Élodie"},
        "+33 6 12 34 56 78": {"Élodie"},
        "06.12.34.56.78": {"Élodie"},
        "0033612345678": {"Élodie"},
        "07 81 22": {"Rémi"},  # the start of a number
        "56 78": {"Élodie"},  # its end
        "Personne": set(),
    }
    for query, expected in cases.items():
        response = client.get(inbox, {"q": query, "statut": "toutes"})
        assert _names(response) == expected, query
    # The other filters still apply, and B's referrals never show.
    assert _names(client.get(inbox, {"q": "elodie", "qui": "moi"})) == set()
    response = client.get(inbox, {"q": "elodie"})
    assert response.context["total"] == 2 and "Ailleurs" not in text(response)
    assert text(client.get(inbox, {"q": "x" * 300})).count("Aucune demande") == 1


def test_staff_referral_form_refuses_bad_input_and_creates(personas):
    client = personas.client_for(personas.case_worker_a)
    bad = client.post(reverse("referral_create"), {"first_name": "Awa"})
    assert bad.status_code == 200 and not Referral.objects.exists()
    body = text(bad)
    assert "Indiquez un téléphone ou une adresse e-mail" in body and "L'accord de la personne" in body
    good = client.post(
        reverse("referral_create"),
        {"first_name": "Awa", "phone": "06 12 34 56 78", "contact_consent": "on", "needs": ["emploi"]},
    )
    referral = Referral.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse("referral_detail", args=[referral.pk])
    assert referral.assigned_to == personas.case_worker_a.user and referral.source == ReferralSource.STAFF


def test_detail_offers_the_known_file_and_merges_only_that_one(personas):
    a = personas.structure_a
    known = PersonFactory(structure=a, phone="+33612345678")
    stranger = PersonFactory(structure=a, phone="+33699999999")
    referral = _referral(a)
    client = personas.client_for(personas.case_worker_a)
    page = client.get(reverse("referral_detail", args=[referral.pk]))
    assert page.context["known"] == [known] and "peut-être déjà connue" in text(page)
    refused = client.post(reverse("referral_welcome", args=[referral.pk]), {"person": stranger.pk})
    assert refused.status_code == 404 and Referral.objects.get(pk=referral.pk).person is None
    merged = client.post(reverse("referral_welcome", args=[referral.pk]), {"person": known.pk})
    assert merged["Location"] == reverse("person_detail", args=[known.pk])
    referral.refresh_from_db()
    assert (
        referral.person == known
        and referral.status == ReferralStatus.WELCOMED
        and Person.objects.count() == 2
    )


def test_welcome_opens_the_file_and_a_wrong_transition_changes_nothing(personas):
    referral = _referral(personas.structure_a)
    client = personas.client_for(personas.case_worker_a)
    wrong = client.post(reverse("referral_status", args=[referral.pk]), {"status": "orientee"}, follow=True)
    assert (
        "n'est pas possible" in text(wrong)
        and Referral.objects.get(pk=referral.pk).status == ReferralStatus.NEW
    )
    opened = client.post(reverse("referral_welcome", args=[referral.pk]), {"last_name": "Diallo"})
    person = Person.objects.get()
    assert opened["Location"] == reverse("person_detail", args=[person.pk]) and person.last_name == "Diallo"


def test_intake_and_plan_from_the_person_file(personas, person_a):
    client = personas.client_for(personas.case_worker_a)
    empty = client.post(reverse("person_intake_add", args=[person_a.pk]), {"held_on": "2026-11-02"})
    assert "Choisissez au moins un domaine" in text(empty) and not Intake.objects.exists()
    client.post(
        reverse("person_intake_add", args=[person_a.pk]),
        {
            "held_on": "2026-11-02",
            "need_numerique": "1",
            "detail_numerique": "Pas d'adresse e-mail",
            "need_mobilite": "3",
        },
    )
    intake = Intake.objects.get()
    assert {(n.domain, n.priority) for n in intake.needs.all()} == {("numerique", 1), ("mobilite", 3)}
    client.post(
        reverse("person_plan_add", args=[person_a.pk]),
        {"kind": "axis", "title": "Autonomie numérique", "domain": "numerique"},
    )
    axis = PlanAxis.objects.get()
    client.post(
        reverse("person_plan_add", args=[person_a.pk]),
        {"kind": "objective", "axis": axis.pk, "title": "Créer une adresse e-mail"},
    )
    objective = axis.objectives.get()
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    client.post(
        reverse("person_plan_add", args=[person_a.pk]),
        {
            "kind": "action",
            "objective": objective.pk,
            "title": "Atelier e-mail",
            "due_on": due,
            "owner": personas.case_worker_a.user.pk,
        },
    )
    action = PlanAction.objects.get()
    home = text(client.get(reverse("home")))
    assert "actions de plans d'action à faire" in home.lower()
    mine = client.get(reverse("plan_actions_mine"))
    assert "Atelier e-mail" in text(mine)
    client.post(
        reverse("plan_action_done", args=[person_a.pk, action.pk]), {"done": "1", "next": "mes-actions"}
    )
    assert PlanAction.objects.get().done_at is not None
    plan = text(client.get(reverse("person_plan", args=[person_a.pk])))
    assert "Autonomie numérique" in plan and "Créer une adresse e-mail" in plan and "fait" in plan


class _FormReader(HTMLParser):
    """What a browser would submit from each form of a page: inputs, selected options, textareas."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._first_option = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("checkbox", "radio"):
            self.forms[-1][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select, self._first_option = attrs.get("name"), None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
                self.forms[-1].setdefault(self._select, self._first_option)
            if "selected" in attrs:
                self.forms[-1][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def submitted_form(page: str, having: str = "", **match) -> dict:
    reader = _FormReader()
    reader.feed(page)
    return next(
        f
        for f in reader.forms
        if all(f.get(k) == str(v) for k, v in match.items()) and (not having or having in f)
    )


def test_an_action_added_on_the_plan_page_goes_to_its_owner_by_default(personas, person_a):
    """The page's own form, as a browser submits it: the owner defaults to the current user."""
    a, worker = personas.structure_a, personas.case_worker_a.user
    axis = actions.add_plan_axis(person=person_a, structure=a, actor=worker, title="Emploi")
    objective = actions.add_plan_objective(axis=axis, structure=a, actor=worker, title="Préparer un CV")
    client = personas.client_for(personas.case_worker_a)
    page = text(client.get(reverse("person_plan", args=[person_a.pk])))
    data = submitted_form(page, kind="action", objective=objective.pk)
    assert data.get("owner") == str(worker.pk), data
    # Every member of the structure can be chosen, and "nobody in particular" too.
    assert personas.coordinator_a.user.get_full_name() in page
    assert personas.case_worker_b.user.get_full_name() not in page
    data.update(title="Écrire le CV", due_on=timezone.localdate().isoformat())
    client.post(reverse("person_plan_add", args=[person_a.pk]), data)
    action = PlanAction.objects.get()
    assert action.owner == worker
    assert "Écrire le CV" in text(client.get(reverse("plan_actions_mine")))
    assert "actions de plans d'action à faire" in text(client.get(reverse("home"))).lower()
    # Another member chosen on the page gets it in their own list, not the author.
    coordinator = personas.coordinator_a.user
    data.update(title="Appeler l'employeur", owner=coordinator.pk)
    client.post(reverse("person_plan_add", args=[person_a.pk]), data)
    assert PlanAction.objects.get(title="Appeler l'employeur").owner == coordinator
    mine = text(personas.client_for(coordinator).get(reverse("plan_actions_mine")))
    assert "Appeler l'employeur" in mine and "Écrire le CV" not in mine


def test_plan_refuses_an_axis_of_another_file(personas, person_a):
    other = PersonFactory(structure=personas.structure_a)
    axis = actions.add_plan_axis(person=other, structure=personas.structure_a, actor=None, title="Emploi")
    client = personas.client_for(personas.case_worker_a)
    response = client.post(
        reverse("person_plan_add", args=[person_a.pk]), {"kind": "objective", "axis": axis.pk, "title": "X"}
    )
    assert response.status_code == 404 and not axis.objectives.exists()


def test_read_only_member_reads_intake_and_plan_but_cannot_write(personas, person_a):
    client = personas.client_for(personas.read_only_a)
    assert client.get(reverse("person_intake", args=[person_a.pk])).status_code == 200
    assert client.get(reverse("person_plan", args=[person_a.pk])).status_code == 200
    assert (
        client.post(
            reverse("person_plan_add", args=[person_a.pk]), {"kind": "axis", "title": "X"}
        ).status_code
        == 403
    )
    assert not PlanAxis.objects.exists()


def test_orientation_from_the_file_appears_on_both_sides(personas, person_a):
    personas.structure_b.email = "accueil@b.example.org"
    personas.structure_b.save()
    client = personas.client_for(personas.case_worker_a)
    response = client.post(
        reverse("orientation_create", args=[person_a.pk]),
        {
            "target_kind": OrientationTarget.STRUCTURE,
            "target_structure": personas.structure_b.pk,
            "motive": "Atelier CV",
            "share_contact": "on",
        },
    )
    orientation = Orientation.objects.get()
    assert response["Location"] == reverse("orientation_detail", args=[orientation.pk])
    assert "Atelier CV" not in text(client.get(reverse("orientation_list") + "?cote=recues"))
    assert personas.structure_b.name in text(client.get(reverse("orientation_list")))
    receiver = personas.client_for(personas.case_worker_b)
    assert "orientations reçues attendent votre réponse" in text(receiver.get(reverse("home"))).lower()
    assert person_a.first_name in text(receiver.get(reverse("orientation_list") + "?cote=recues"))
    assert receiver.get(reverse("person_detail", args=[person_a.pk])).status_code == 404


def test_orientation_to_a_non_partner_structure_is_not_offered(personas, person_a):
    from tests.factories import StructureFactory

    stranger = StructureFactory()
    client = personas.client_for(personas.case_worker_a)
    response = client.post(
        reverse("orientation_create", args=[person_a.pk]),
        {"target_kind": OrientationTarget.STRUCTURE, "target_structure": stranger.pk, "motive": "x"},
    )
    assert response.status_code == 200 and response.context["form"].errors.get("target_structure")
    assert not Orientation.objects.exists()


# --- Query counts -------------------------------------------------------------------------------


def _grow(personas, person, n):
    a, b, worker = personas.structure_a, personas.structure_b, personas.case_worker_a.user
    referrer = actions.create_referrer(
        structure=a, actor=worker, data={"name": f"Relais {n}", "kind": ReferrerKind.SHOP}
    )
    for i in range(n):
        referral = _referral(a, first_name=f"R{n}-{i}", phone=f"06{n:02d}{i:06d}", referrer=referrer)
        actions.assign_referral(referral=referral, structure=a, actor=worker, user=worker)
        actions.change_referral_status(referral=referral, structure=a, actor=worker, status="contactee")
        axis = actions.add_plan_axis(person=person, structure=a, actor=worker, title=f"Axe {n}-{i}")
        objective = actions.add_plan_objective(axis=axis, structure=a, actor=worker, title="Objectif")
        actions.add_plan_action(objective=objective, structure=a, actor=worker, title="Action", owner=worker)
        actions.record_intake(
            person=person, structure=a, actor=worker, needs=[{"domain": "emploi"}, {"domain": "sante"}]
        )
        actions.propose_orientation(
            person=person,
            structure=a,
            actor=worker,
            target_kind="structure",
            target_structure=b,
            motive="m",
            share_contact=True,
        )


PAGES = [
    ("inbox", lambda ctx: reverse("referral_inbox") + "?statut=toutes", 6),
    ("inbox, mine", lambda ctx: reverse("referral_inbox") + "?qui=moi", 6),
    ("inbox, name", lambda ctx: reverse("referral_inbox") + "?statut=toutes&q=r3", 6),
    ("inbox, phone", lambda ctx: reverse("referral_inbox") + "?statut=toutes&q=06+03+00", 6),
    ("referral", lambda ctx: reverse("referral_detail", args=[ctx["referral"].pk]), 9),
    ("intake", lambda ctx: reverse("person_intake", args=[ctx["person"].pk]), 9),  # + the referral needs
    ("plan", lambda ctx: reverse("person_plan", args=[ctx["person"].pk]), 12),  # + who may own an action
    ("my actions", lambda ctx: reverse("plan_actions_mine"), 5),
    ("orientations sent", lambda ctx: reverse("orientation_list"), 5),
    ("orientation", lambda ctx: reverse("orientation_detail", args=[ctx["orientation"].pk]), 6),
]


def test_pages_run_the_same_number_of_queries_at_n_and_10n(personas, person_a):
    client = personas.client_for(personas.case_worker_a)
    client.get(reverse("home"))
    counts = {}
    for n in (3, 30):
        _grow(personas, person_a, n)
        ctx = {
            "referral": Referral.objects.filter(structure=personas.structure_a).first(),
            "person": person_a,
            "orientation": Orientation.objects.first(),
        }
        for label, url, _ in PAGES:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(ctx)).status_code == 200, label
            counts.setdefault(label, []).append(len(queries))
    report = "\n".join(
        f"{label:20} {a:3} → {b:3} (bound {bound})"
        for (label, _, bound), (a, b) in zip(PAGES, counts.values(), strict=True)
    )
    assert all(a == b for a, b in counts.values()), report
    # Bounds are the measured counts, without slack: a new query on purpose raises its bound here.
    assert all(counts[label][0] <= bound for label, _, bound in PAGES), report


# --- One person, one history: from the referral to the file ------------------------------------


def _book_for(referral, *, days: int, title: str):
    from jalon.agenda import actions as agenda

    start = timezone.now() + timedelta(days=days)
    if days > 0:
        appointment = agenda.schedule(
            structure=referral.structure,
            actor=None,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
        )
        return agenda.add_participant(
            appointment=appointment, structure=referral.structure, actor=None, referral=referral
        )
    return agenda.record_past_appointment(
        structure=referral.structure,
        actor=None,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        referral=referral,
    )


@pytest.mark.parametrize("into", ["new file", "existing file"])
def test_appointments_booked_from_a_referral_follow_it_into_the_file(personas, into):
    from jalon.agenda import actions as agenda

    a = personas.structure_a
    referral = _referral(a, first_name="Awa", last_name="Diallo", phone="0611223344")
    first = _book_for(referral, days=-2, title="Premier appel")
    coming = _book_for(referral, days=3, title="Accueil collectif")
    client = personas.client_for(personas.case_worker_a)
    body = {"last_name": "Diallo"}
    if into == "existing file":
        existing = PersonFactory(structure=a, first_name="Awa", last_name="Diallo", phone="+33611223344")
        body["person"] = existing.pk
    response = client.post(reverse("referral_welcome", args=[referral.pk]), body)
    person = Person.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    page = text(client.get(reverse("person_appointments", args=[person.pk])))
    assert "Premier appel" in page and "Accueil collectif" in page
    timeline = text(client.get(reverse("person_detail", args=[person.pk])))
    assert "Premier appel" in timeline and "Accueil collectif" in timeline
    # What is noted afterwards on the referral's appointment lands in the file's timeline too.
    from jalon.agenda.models import Appointment

    Appointment.objects.filter(pk=coming.appointment_id).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    coming.refresh_from_db()
    agenda.record_outcome(participant=coming, structure=a, actor=None, outcome="absent")
    assert person.events.filter(label__contains="Accueil collectif", kind="appointment_outcome").exists()
    assert first.person_id is None  # the referral's own record is kept as it was
    # Another structure sees neither the file nor its appointments.
    other = personas.client_for(personas.case_worker_b)
    assert other.get(reverse("person_appointments", args=[person.pk])).status_code == 404


def test_the_intake_of_a_person_who_came_through_a_referral_starts_from_its_needs(personas):
    a = personas.structure_a
    referral = _referral(a, first_name="Awa", last_name="Diallo", needs=["emploi", "numerique"])
    client = personas.client_for(personas.case_worker_a)
    response = client.post(reverse("referral_welcome", args=[referral.pk]), {"last_name": "Diallo"})
    person = Person.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    page = text(client.get(reverse("person_intake", args=[person.pk])))
    form = submitted_form(page, having="held_on")
    assert form["need_emploi"] == "2" and form["need_numerique"] == "2"
    assert form["need_sante"] == "" and form["need_logement"] == ""
    assert "besoins cochés lors de la demande" in page
    # Saved as the page offers it, the intake carries the referral's needs; the next one starts blank.
    client.post(reverse("person_intake_add", args=[person.pk]), form)
    assert set(Intake.objects.get().needs.values_list("domain", flat=True)) == {"emploi", "numerique"}
    again = submitted_form(text(client.get(reverse("person_intake", args=[person.pk]))), having="held_on")
    assert again["need_emploi"] == "" and again["need_numerique"] == ""

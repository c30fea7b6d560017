"""Every form, drawn once in jalon/www/rendering.py: error summary, radio fieldsets, no green marks.

And links that read alike say what differs.
"""

import html
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.html_tree import parse

pytestmark = pytest.mark.django_db


def _page(response):
    return parse(response.content.decode())


def error_summary(tree):
    summaries = [n for n in tree.iter() if "data-error-summary" in n.attrs]
    assert len(summaries) == 1, "one error summary per failed form"
    return summaries[0]


def assert_summary_links_every_error(tree, form):
    summary = error_summary(tree)
    assert summary.attrs.get("role") == "alert" and summary.attrs.get("tabindex") == "-1"
    assert summary.find_all("h2")[0].text == "Il y a un problème"
    ids = {n.attrs["id"] for n in tree.iter() if "id" in n.attrs}
    links = summary.find_all("a")
    field_errors = [(name, e) for name, errors in form.errors.items() if name != "__all__" for e in errors]
    assert len(links) == len(field_errors)
    for link in links:
        target = link.attrs["href"]
        assert target.startswith("#") and target[1:] in ids, f"{target} leads nowhere"
    for name, error in field_errors:
        assert any(
            html.unescape(error) in link.text and link.attrs["href"].startswith(f"#id_{name}")
            for link in links
        )
    return summary


def test_failed_person_form_starts_with_a_summary_linking_each_error(personas):
    client = personas.client_for(personas.case_worker_a)
    response = client.post(
        reverse("person_create"), {"email": "pas-une-adresse", "has_smartphone": "peut-être"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"first_name", "last_name", "email", "has_smartphone", "accompaniment_consent"} <= set(form.errors)
    tree = _page(response)
    summary = assert_summary_links_every_error(tree, form)
    # A radio group has no single id: the link goes to its first choice.
    assert any(link.attrs["href"] == "#id_has_smartphone_0" for link in summary.find_all("a"))
    # The summary comes first in the form, before any field.
    form_node = next(n for n in tree.find_all("form") if summary in list(n.iter()))
    first_field = next(
        n
        for n in form_node.iter()
        if n.tag in {"input", "select", "textarea"} and n.attrs.get("type") != "hidden"
    )
    order = [n for n in form_node.iter()]
    assert order.index(summary) < order.index(first_field)
    # Focused on load: the autofocus attribute, and jalon.js (no inline script: CSP) for htmx swaps.
    assert "autofocus" in summary.attrs and "data-error-summary" in summary.attrs
    assert "/static/jalon/jalon.js" in response.content.decode()


def test_form_drawn_whole_by_bootstrap_form_gets_the_summary_too(personas):
    client = personas.client_for(personas.admin_a)
    response = client.post(reverse("structure_settings"), {"name": "", "siret": "123"})
    assert response.status_code == 200
    assert_summary_links_every_error(_page(response), response.context["form"])


def test_form_wide_errors_are_listed_without_a_link(personas):
    client = personas.client_for(personas.case_worker_a)
    response = client.get(reverse("indicators"), {"du": "2026-05-10", "au": "2026-05-01"})
    summary = error_summary(_page(response))
    assert "La date de fin doit suivre la date de début." in summary.text


def test_a_valid_page_has_no_summary(personas):
    response = personas.client_for(personas.case_worker_a).get(reverse("person_create"))
    assert not [n for n in _page(response).iter() if "data-error-summary" in n.attrs]


def test_after_a_failed_submit_only_errors_are_marked(personas):
    client = personas.client_for(personas.case_worker_a)
    response = client.post(reverse("person_create"), {"first_name": "Inès"})
    tree = _page(response)
    marked_valid = [n.attrs.get("name") for n in tree.iter() if "is-valid" in n.classes]
    assert not marked_valid, f"marked valid: {marked_valid}"
    invalid = {n.attrs.get("name") for n in tree.iter() if "is-invalid" in n.classes}
    assert "last_name" in invalid and "first_name" not in invalid


def _groups_outside_their_own_fieldset(tree) -> list[str]:
    """Names of radio or checkbox groups not alone in a fieldset that has a legend."""
    groups = defaultdict(list)
    for node in tree.iter():
        if node.tag == "input" and node.attrs.get("type") in {"radio", "checkbox"}:
            groups[node.attrs.get("name")].append(node)
    wrong = []
    for name, inputs in groups.items():
        if len(inputs) < 2 and inputs[0].attrs.get("type") == "checkbox":
            continue  # a single checkbox is its own label
        fieldset = next((a for a in inputs[0].ancestors() if a.tag == "fieldset"), None)
        if fieldset is None or not fieldset.find_all("legend"):
            wrong.append(name)
            continue
        names = {
            n.attrs.get("name")
            for n in fieldset.iter()
            if n.tag == "input" and n.attrs.get("type") in {"radio", "checkbox"}
        }
        if names != {name} or not all(fieldset in list(i.ancestors()) for i in inputs):
            wrong.append(name)
    return wrong


@pytest.mark.parametrize("view", ["person_create", "referral_create", "orientation_create"])
def test_every_group_of_choices_is_a_fieldset_with_a_legend(personas, person_a, view):
    args = [person_a.pk] if view == "orientation_create" else []
    response = personas.client_for(personas.case_worker_a).get(reverse(view, args=args))
    assert response.status_code == 200
    tree = _page(response)
    choices = [n for n in tree.iter() if n.tag == "input" and n.attrs.get("type") in {"radio", "checkbox"}]
    assert len(choices) > 2, "no group of choices to check"
    assert _groups_outside_their_own_fieldset(tree) == []


def test_legend_is_the_question(personas):
    tree = _page(personas.client_for(personas.case_worker_a).get(reverse("person_create")))
    radio = next(n for n in tree.iter() if n.attrs.get("name") == "has_smartphone")
    fieldset = next(a for a in radio.ancestors() if a.tag == "fieldset")
    assert fieldset.find_all("legend")[0].text == "A un smartphone"


# --- Links that read alike --------------------------------------------------------------------


def assert_links_say_what_differs(tree):
    by_name = defaultdict(set)
    for link in tree.find_all("a"):
        if link.attrs.get("href", "").startswith("#"):
            continue
        by_name[link.accessible_name].add(link.attrs.get("href"))
    alike = {name: hrefs for name, hrefs in by_name.items() if len(hrefs) > 1}
    assert not alike, f"links that read alike but lead to different places: {alike}"


@pytest.fixture
def two_stages_same_day(personas):
    from jalon.programmes import actions
    from jalon.programmes.models import StageKind
    from tests.factories import PersonFactory
    from tests.programmes.test_pages import _at

    a, actor = personas.structure_a, personas.coordinator_a.user
    programme = actions.create_programme(structure=a, actor=actor, name="Ensemble à 100 %")
    sessions = []
    for name in ("Ateliers", "SprintCamp"):
        stage = actions.add_stage(
            programme=programme, structure=a, actor=actor, name=name, kind=StageKind.WORKSHOP
        )
        # One to come, one past (both lists on the page), and one more the same day elsewhere.
        for days, place in ((5, "Tiers-lieu"), (-5, "Tiers-lieu"), (5, "Médiathèque")):
            sessions.append(
                actions.schedule_session(
                    stage=stage,
                    structure=a,
                    actor=actor,
                    slots=[(_at(days, 9), _at(days, 12))],
                    capacity=5,
                    place=place,
                )
            )
    person = PersonFactory(structure=a)
    for session in sessions:
        actions.enrol(session=session, person=person, structure=a, actor=actor)
    return programme, person


def test_programme_page_session_links_say_their_stage(personas, two_stages_same_day):
    programme, _ = two_stages_same_day
    client = personas.client_for(personas.coordinator_a)
    tree = _page(client.get(reverse("programme_detail", args=[programme.pk])))
    session_links = [a for a in tree.find_all("a") if a.text.startswith("Session du")]
    assert len(session_links) == 6
    assert_links_say_what_differs(tree)


def test_pathway_session_links_say_which_session(personas, two_stages_same_day):
    _, person = two_stages_same_day
    client = personas.client_for(personas.case_worker_a)
    tree = _page(client.get(reverse("person_pathway", args=[person.pk])))
    assert len([a for a in tree.find_all("a") if "session" in a.accessible_name.lower()]) == 6
    assert_links_say_what_differs(tree)


def test_agenda_appointments_with_one_title_say_when(personas):
    from jalon.agenda import actions

    day = timezone.localdate() + timedelta(days=7)
    for hour in (9, 14):
        starts = timezone.make_aware(datetime.combine(day, time(hour)))
        actions.schedule(
            structure=personas.structure_a,
            actor=None,
            title="Premier accueil",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )
    client = personas.client_for(personas.case_worker_a)
    tree = _page(client.get(reverse("agenda"), {"semaine": day.isoformat()}))
    assert len([a for a in tree.find_all("a") if a.text.startswith("Premier accueil")]) == 2
    assert_links_say_what_differs(tree)


def test_inbox_referrals_with_one_first_name_say_when(personas):
    from jalon.referrals import actions
    from jalon.referrals.models import Referral, ReferralSource

    for days_ago in (1, 3):
        referral = actions.create_referral(
            structure=personas.structure_a,
            referrer=None,
            source=ReferralSource.STAFF,
            data={"first_name": "Yanis", "phone": "06 11 22 33 44", "contact_consent": True},
        )
        Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    tree = _page(personas.client_for(personas.case_worker_a).get(reverse("referral_inbox")))
    assert len([a for a in tree.find_all("a") if a.text.startswith("Yanis")]) == 2
    assert_links_say_what_differs(tree)


# --- Screen readers announce each field error: aria-invalid and aria-describedby on the input ---


def assert_errors_announced(tree, form):
    """Each input of an invalid field says it is invalid and names its error message's element."""
    by_id = {n.attrs["id"]: n for n in tree.iter() if "id" in n.attrs}
    controls = [n for n in tree.iter() if n.tag in ("input", "select", "textarea")]
    checked = 0
    for name, errors in form.errors.items():
        if name == "__all__" or form[name].is_hidden:
            continue
        inputs = [n for n in controls if n.attrs.get("name") == form.add_prefix(name)]
        assert inputs, f"{name}: no input"
        for node in inputs:
            assert node.attrs.get("aria-invalid") == "true", f"{name}: no aria-invalid"
            ids = (node.attrs.get("aria-describedby") or "").split()
            assert ids, f"{name}: no aria-describedby"
            assert all(i in by_id for i in ids), f"{name}: aria-describedby names a missing id {ids}"
            described = " ".join(by_id[i].text for i in ids)
            for error in errors:
                assert html.unescape(error) in described, f"{name}: « {error} » is not in its description"
            checked += 1
    assert checked, "no field error was checked"


def test_failed_person_form_announces_each_field_error(personas):
    client = personas.client_for(personas.case_worker_a)
    response = client.post(
        reverse("person_create"), {"email": "pas-une-adresse", "has_smartphone": "peut-être"}
    )
    form = response.context["form"]
    assert "has_smartphone" in form.errors  # a radio group: each of its inputs names the error
    assert_errors_announced(_page(response), form)


@pytest.mark.parametrize(
    "url_name", ["person_create", "referral_create", "referrer_create", "appointment_create", "api_tokens"]
)
def test_empty_forms_announce_each_field_error(personas, url_name):
    client = personas.client_for(personas.admin_a)
    response = client.post(reverse(url_name), {"rien": ""})  # a bound form with every field empty
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert_errors_announced(_page(response), form)


def test_failed_login_announces_its_field_errors(personas):
    response = Client().post(reverse("account_login"), {"login": "pas-une-adresse", "password": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"login", "password"} <= set(form.errors)
    assert_errors_announced(_page(response), form)


def test_public_service_search_announces_an_unknown_commune(db):
    response = Client().get(reverse("public_services"), {"commune": "Zzzyx-sur-Rien"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "commune" in form.errors
    assert_errors_announced(_page(response), form)


def test_short_model_choice_field_offers_the_same_choices_in_one_plain_query(personas):
    from django import forms
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jalon.structures.models import Partnership, Structure
    from jalon.www.fields import ShortModelChoiceField

    a = personas.structure_a
    for i in range(3):
        Partnership.objects.create(
            source=Structure.objects.create(name=f"Partenaire {i}", kind="association"), target=a
        )
    django_field = forms.ModelChoiceField(queryset=a.partner_structures().order_by("name"))
    short = ShortModelChoiceField(queryset=a.partner_structures().order_by("name"))
    with CaptureQueriesContext(connection) as queries:
        choices = [(str(value), label) for value, label in short.choices]
    assert choices == [(str(value), label) for value, label in django_field.choices]
    assert len(choices) == 5  # the empty choice, B and the three partners
    assert len(queries) == 1 and not queries[0]["sql"].upper().startswith("DECLARE")

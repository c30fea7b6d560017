"""Every input of the API is validated before any query: what PostgreSQL would refuse (NUL bytes,
strings longer than the column, years it cannot compute with) is a JSON 422 in French on both
databases, and nothing is written."""

import json
from datetime import date

import pytest
from django.test import Client

from jalon.api.main import french_error
from jalon.api.schemas import DATE_MAX, DATE_MIN, check_value, max_length
from jalon.people.models import Person
from jalon.referrals.models import Referrer
from jalon.users.models import ApiToken, TokenScope

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Élise", "last_name": "Durand", "phone": "06 12 34 56 78", "consent_method": "oral"}


@pytest.fixture
def api(personas):
    _, raw = ApiToken.issue(user=personas.admin_a.user, name="t", scope=TokenScope.READ_WRITE)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(api, url, payload):
    return api.post(url, data=json.dumps(payload), content_type="application/json")


def assert_french_422(response):
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    for error in body.get("errors", []):
        # No English from pydantic ("Input should be…", "String should have…").
        assert "should" not in error["msg"] and "Input" not in error["msg"], error
    return body


# Unit: the rules themselves.


def test_max_length_reads_the_model():
    assert max_length(Person, "first_name") == Person._meta.get_field("first_name").max_length
    assert max_length(Referrer, "notes") == 10_000  # a TextField: the generous bound


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31m", "tab\x7f"])
def test_control_characters_are_refused(value):
    with pytest.raises(ValueError, match="caractère de contrôle"):
        check_value(value)


@pytest.mark.parametrize("value", ["Ligne 1\nLigne 2\r\n\tretrait", "Zoé d'Arc", ""])
def test_ordinary_text_and_line_breaks_pass(value):
    assert check_value(value) == value


@pytest.mark.parametrize("value", [date(1899, 12, 31), date(9999, 12, 31), date(1, 1, 1), date(2101, 1, 1)])
def test_dates_outside_the_range_are_refused(value):
    with pytest.raises(ValueError, match="comprise entre"):
        check_value(value)


def test_dates_inside_the_range_pass():
    assert check_value(DATE_MIN) == DATE_MIN and check_value(DATE_MAX) == DATE_MAX


def test_integers_beyond_64_bits_are_refused():
    with pytest.raises(ValueError, match="trop grand"):
        check_value(2**63)
    assert check_value(True) is True


def test_pydantic_errors_are_translated_with_their_limits_never_the_value():
    error = {
        "type": "string_too_long",
        "loc": ("body", "x"),
        "msg": "String should…",
        "ctx": {"max_length": 5},
    }
    assert french_error(error)["msg"] == "Ce texte est trop long (5 caractères au plus)."
    unknown = {"type": "something_new", "loc": ("query", "y"), "msg": "English", "input": "secret"}
    assert french_error(unknown) == {
        "loc": ["query", "y"],
        "msg": "Valeur invalide.",
        "type": "something_new",
    }


# Through the API: what was a 500 on PostgreSQL.


@pytest.mark.parametrize(
    "change",
    [
        {"first_name": "Él\x00ise"},
        {"last_name": "x" * 101},
        {"languages": "l" * 201},
        {"birth_date": "9999-12-31"},
        {"email": "pas-une-adresse"},
        {"referent_id": 2**63},
    ],
    ids=["nul", "too-long", "too-long-languages", "year-9999", "email", "huge-id"],
)
def test_bad_person_input_is_a_french_422_and_writes_nothing(api, change):
    body = assert_french_422(post(api, "/api/v1/people", {**PERSON, **change}))
    assert body["errors"], body
    assert not Person.objects.exists()


def test_too_long_name_says_the_model_limit(api):
    body = assert_french_422(post(api, "/api/v1/people", {**PERSON, "first_name": "x" * 101}))
    assert body["errors"][0]["msg"] == "Ce texte est trop long (100 caractères au plus)."
    assert body["errors"][0]["loc"][-1] == "first_name"


def test_missing_field_and_bad_choice_are_french(api):
    body = assert_french_422(post(api, "/api/v1/people", {"first_name": "A", "gender": "?"}))
    messages = {error["loc"][-1]: error["msg"] for error in body["errors"]}
    assert messages["last_name"] == "Ce champ est obligatoire."
    assert messages["gender"].startswith("Valeur non prévue. Valeurs possibles :")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators/referrals?du=0001-01-01&au=9999-12-31",
        "/api/v1/appointments?du=9999-12-31",
        "/api/v1/sessions?au=0001-01-01",
        "/api/v1/people?q=%00",
        "/api/v1/referrals?apres=%00",
        "/api/v1/services?q=a%00b",
        "/api/v1/people?taille=999999999999999999999",
    ],
)
def test_bad_query_parameters_are_a_french_422(api, url):
    assert_french_422(api.get(url))


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/v1/referrers", {"name": "n" * 201, "kind": "commerce"}),
        ("/api/v1/referrers", {"name": "Boulangerie", "kind": "commerce", "contact_email": "nope"}),
        ("/api/v1/referrers", {"name": "Boulangerie\x00", "kind": "commerce"}),
        ("/api/v1/referrals", {"first_name": "f" * 101, "contact_consent": True}),
        ("/api/v1/referrals", {"first_name": "Ali", "contact_consent": True, "email": "a@"}),
        ("/api/v1/appointments", {"title": "t" * 201}),
        ("/api/v1/appointments/passes", {"title": "Bilan", "starts_at": "9999-12-31T10:00:00"}),
    ],
)
def test_bad_bodies_elsewhere_are_a_french_422(api, url, payload):
    assert_french_422(post(api, url, payload))


@pytest.mark.parametrize(
    ("method", "url"), [("get", "/api/v1/people/abc"), ("post", "/api/v1/nothing"), ("get", "/api/v9/people")]
)
def test_an_unknown_api_path_is_a_json_404_not_an_html_page(api, method, url):
    response = getattr(api, method)(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Introuvable."}

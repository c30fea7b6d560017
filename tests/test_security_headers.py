"""Security headers: a strict CSP with nonces, Permissions-Policy, and `Cache-Control: no-store` on
every dynamic answer (pages, PDFs, exports, API, partners' answer page), never on static files."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from jalon.users.models import ApiToken

from .factories import PersonFactory
from .html_tree import offsite_addresses

pytestmark = pytest.mark.django_db


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")


def test_person_page_has_strict_csp_permissions_policy_and_no_store(personas):
    person = PersonFactory(structure=personas.structure_a)
    response = personas.client_for(personas.case_worker_a).get(reverse("person_detail", args=[person.pk]))
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in permissions
    assert_no_store(response)


def test_no_page_template_carries_inline_script_style_or_handler(personas):
    """What the CSP would refuse in a browser, caught here on the rendered HTML of staff pages."""
    client = personas.client_for(personas.case_worker_a)
    person = PersonFactory(structure=personas.structure_a)
    for url in [
        "/",
        reverse("people_list"),
        reverse("person_detail", args=[person.pk]),
        reverse("person_create"),
    ]:
        html = (
            client.post(url, {}).content.decode()
            if url.endswith("nouvelle/")
            else client.get(url).content.decode()
        )
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert not re.search(r"<[^>]+\sstyle=", html), url
        assert "<style" not in html, url


def test_swagger_page_uses_the_nonce_and_our_own_files(personas):
    response = personas.client_for(personas.case_worker_a).get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    assert f"'nonce-{nonce}'" in csp(response)["script-src"]
    # No address leaving the site (not the letters "cdn", which a random token may hold).
    assert not offsite_addresses(html)
    assert "/static/ninja/swagger-ui-bundle" in html
    assert_no_store(response)


def test_api_answers_are_not_stored(personas):
    _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="test")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/people")
    assert response.status_code == 200
    assert_no_store(response)


def test_anonymous_pages_are_not_stored_either(db):
    response = Client().get(reverse("account_login"))
    assert response.status_code == 200
    assert_no_store(response)
    assert "camera=()" in response["Permissions-Policy"]


def test_static_files_keep_their_cache(db):
    response = Client().get("/static/jalon/jalon.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    # A view that chose its own caching keeps it.
    favicon = Client().get("/favicon.ico")
    assert "no-store" not in favicon.get("Cache-Control", "")

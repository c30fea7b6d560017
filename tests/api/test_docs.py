"""The API docs page (linked from every page's footer) works offline and declares its language."""

import re

import pytest

from ..html_tree import offsite_addresses

pytestmark = pytest.mark.django_db


def test_docs_page_loads_swagger_from_our_static_files_with_a_language(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<html lang="fr">', html), "axe-core: html-has-lang (serious)"
    # A CDN is unreachable offline and from many networks of our users: the page stayed blank.
    # (Any address leaving the site, not the letters "cdn": a random CSRF token may hold them.)
    assert not offsite_addresses(html)
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts)
    for src in scripts:
        assert client.get(src).status_code == 200, src

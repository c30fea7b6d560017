"""Defect 11: an "Aide" link on every page opens the guide at the current screen's section;
"Mon compte" gathers name, e-mail, password and API tokens."""

import fnmatch
import tomllib
from pathlib import Path

import pytest
from django.urls import get_resolver, reverse

from jalon.audit.models import Action, AuditEvent
from jalon.www.help import guide
from tests.conftest import PASSWORD

from .helpers import links_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _url_names(resolver=None, found=None):
    found = set() if found is None else found
    for pattern in (resolver or get_resolver()).url_patterns:
        if hasattr(pattern, "url_patterns"):
            _url_names(pattern, found)
        elif pattern.name:
            found.add(pattern.name)
    return found


def _help_href(response):
    hrefs = [href for href, text in links_in(response, "lien-aide")] or [
        href for href, text in _all_links(response) if text == "Aide"
    ]
    assert len(hrefs) == 1, hrefs
    return hrefs[0]


def _all_links(response):
    from .helpers import _Links

    parser = _Links("__page__")
    parser.depth = 1  # the whole page
    parser.feed(response.content.decode())
    return parser.links


@pytest.mark.parametrize("url_name", sorted(guide.SECTIONS))
def test_every_screen_of_the_mapping_exists_and_its_section_is_in_the_guide(url_name):
    assert url_name in _url_names(), f"{url_name}: no such screen"
    page, _, anchor = guide.SECTIONS[url_name].partition("#")
    assert page in guide.PAGES
    assert anchor in guide.page(page).anchors, f"{url_name}: no heading #{anchor} in {page}.md"


def test_the_guide_ships_with_the_package():
    """The wheel carries jalon/guide/*.md (package data): a pip-installed Jalon has its help."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    files = sorted(p.relative_to(ROOT / "jalon").as_posix() for p in (ROOT / "jalon" / "guide").glob("*.md"))
    assert {f"guide/{slug}.md" for slug in guide.PAGES} <= set(files)
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
    assert guide.GUIDE_DIR == ROOT / "jalon" / "guide"
    assert "markdown" in " ".join(config["project"]["dependencies"]).lower()


@pytest.mark.parametrize(
    "role, url, expected",
    [
        ("case_worker_a", "/", "/aide/index/#laccueil"),
        ("case_worker_a", "/accueil/", "/aide/accueil/#les-demandes-recues"),
        ("case_worker_a", "/personnes/", "/aide/index/#les-personnes"),
        (
            "coordinator_a",
            "/programmes/",
            "/aide/parcours/#construire-un-programme-coordination-administration",
        ),
        ("admin_a", "/structure/journal/", "/aide/index/#administrer-la-structure"),
        ("read_only_a", "/indicateurs/", "/aide/indicateurs/#ce-que-veut-dire-chaque-chiffre"),
        ("trainer_a", "/compte/", "/aide/index/#mon-compte"),
        (None, "/comptes/login/", "/aide/index/#se-connecter"),
    ],
)
def test_help_link_on_the_page_opens_the_section_of_the_screen(personas, client, role, url, expected):
    if role:
        client = personas.client_for(getattr(personas, role))
    response = client.get(url)
    assert response.status_code == 200
    href = _help_href(response)
    assert href == expected
    page = client.get(href.split("#")[0])
    assert page.status_code == 200
    assert f'id="{expected.split("#")[1]}"' in page.content.decode()


def test_guide_pages_link_to_each_other_in_the_app_and_unknown_pages_are_404(client):
    index = client.get(reverse("help")).content.decode()
    assert 'href="/aide/accueil/"' in index and "accueil.md" not in index
    assert '<table class="table table-sm">' in index
    assert client.get("/aide/inconnue/").status_code == 404
    assert client.get("/aide/..%2Fsettings/").status_code == 404


def test_account_page_has_name_email_password_and_tokens(personas):
    client = personas.client_for(personas.case_worker_a)
    home = client.get(reverse("home"))
    assert (reverse("account"), "Mon compte") in _all_links(home)
    page = client.get(reverse("account"))
    text = page.content.decode()
    for anchor in ("mes-informations", "mot-de-passe", "jetons"):
        assert f'id="{anchor}"' in text
    assert personas.case_worker_a.user.email in text
    assert reverse("account_change_password") in text


def test_name_change_is_saved_and_audited_bad_input_changes_nothing(personas):
    member = personas.case_worker_a
    client = personas.client_for(member)
    response = client.post(reverse("account"), {"first_name": "  Karima ", "last_name": "Haddad"})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert (member.user.first_name, member.user.last_name) == ("Karima", "Haddad")
    event = AuditEvent.objects.get(detail="nom du compte modifié")
    assert event.actor == member.user and "first_name" in event.fields
    response = client.post(reverse("account"), {"first_name": " ", "last_name": ""})
    assert response.status_code == 200
    assert "Indiquez au moins votre prénom ou votre nom" in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.first_name == "Karima"


def test_token_form_of_the_account_page_still_creates_a_token(personas):
    client = personas.client_for(personas.case_worker_a)
    # What the browser sends: the name typed, the rights and lifetime checked by default.
    response = client.post(reverse("account"), {"name": "Tableur", "scope": "read", "lifetime": "90"})
    assert response.status_code == 200
    assert "Voici votre nouveau jeton" in response.content.decode()


def test_password_change_works_keeps_the_session_and_is_audited(personas):
    user = personas.case_worker_a.user
    user.set_password(PASSWORD)
    user.save()
    client = personas.client_for(personas.case_worker_a)
    page = client.get(reverse("account_change_password"))
    assert page.status_code == 200
    assert 'id="lien-aide"' in page.content.decode()
    new = "un-nouveau-mot-de-passe-2026"
    # A wrong current password: a French message, nothing changed, nothing written.
    response = client.post(
        reverse("account_change_password"), {"oldpassword": "faux", "password1": new, "password2": new}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(detail="mot de passe changé").exists()
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302 and response["Location"] == reverse("account") + "#mot-de-passe"
    user.refresh_from_db()
    assert user.check_password(new)
    event = AuditEvent.objects.get(detail="mot de passe changé")
    assert event.actor == user and event.action == Action.UPDATE and event.fields == ["password"]
    assert client.get(reverse("account")).status_code == 200  # still signed in


def test_account_pages_need_a_login(client):
    for url in (reverse("account"), reverse("account_change_password")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]

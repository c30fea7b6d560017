"""Every page as every role: the full demo, crawled as each demo account and as an anonymous visitor.

Each account logs in with the demo password and follows, breadth first, every link and GET form
the app renders to it (tests/crawl.py: bounded per account and per url_name, never a POST). The
anonymous visitor starts from the public links the demo hands out. On every page: no 5xx, no
4xx and no bounce to the login page on a link the app itself rendered, at most 30 SQL queries.
Then axe-core checks, in Chromium at 1280 px against the live server, the first page of each
url_name reached by each role (accounts of one role see the same templates; once per account
would take ten minutes); on those pages Chromium must also report no JavaScript error and no
Content-Security-Policy violation (an inline script, style or handler the policy refuses). All
failures are collected and reported together.
"""

import time
from collections import defaultdict
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from jalon.demo import DEMO_PASSWORD, demo_logins
from jalon.structures.models import Commune, Membership
from jalon.structures.territories import commune_fields, iter_communes

from ..crawl import Failure, crawl, public_links
from .conftest import DESKTOP, _new_page, axe_violations

pytestmark = pytest.mark.browser

MAX_PAGES = 80  # per account
ANONYMOUS = "anonyme"
# Pages that are not ours to make accessible: still crawled (status, queries, JavaScript errors),
# not given to axe-core. Each with its reason; printed with the result.
AXE_EXEMPT = {
    "api:openapi-view": "Swagger UI, django-ninja's developer page: its contrast and nested "
    "buttons are upstream's (swagger-ui), the French pages of the app do not use it",
}


@pytest.fixture
def demo(transactional_db):
    """The full demo, committed so that the live server's thread sees it (the test database is
    flushed afterwards, as for every live-server test)."""
    if not Commune.objects.exists():
        # An earlier live-server test flushed the communes its migration had loaded.
        Commune.objects.bulk_create(
            [Commune(**commune_fields(row)) for row in iter_communes()], batch_size=5000
        )
    call_command("demo-data", stdout=StringIO())


def _role_of(email: str) -> str:
    roles = Membership.objects.filter(user__email=email, is_active=True).values_list("role", flat=True)
    return "+".join(sorted(set(roles))) or "sans structure"


def test_every_page_as_every_role(demo, live_server, browser, capsys):
    started = time.monotonic()
    accounts = [email for email, _ in demo_logins()]
    assert len(accounts) >= 10, "the demo should have an account for each role of each structure"

    pages, failures, clients = [], [], {}
    for email in accounts:
        client = Client()
        if not client.login(email=email, password=DEMO_PASSWORD):
            failures.append(
                Failure(email, "/comptes/login/", "connexion refusée avec le mot de passe de la démo")
            )
            continue
        clients[email] = client
        result = crawl(client, email, ["/"], max_pages=MAX_PAGES)
        pages += result.pages
        failures += result.failures
    anonymous = crawl(Client(), ANONYMOUS, public_links(), anonymous=True, max_pages=MAX_PAGES)
    pages += anonymous.pages
    failures += anonymous.failures
    crawled = time.monotonic() - started

    # axe-core: the first HTML page of each url_name each role reached.
    to_check, checked = {}, 0
    roles = {email: _role_of(email) for email in accounts}
    roles[ANONYMOUS] = ANONYMOUS
    for page in pages:
        if page.status == 200 and "text/html" in page.content_type and page.url_name not in AXE_EXEMPT:
            to_check.setdefault((roles[page.account], page.url_name), page)
    by_account = defaultdict(list)
    for page in to_check.values():
        by_account[page.account].append(page)
    for account, account_pages in by_account.items():
        context, tab = _new_page(browser, DESKTOP)
        if account != ANONYMOUS:
            session = clients[account].cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
        for page in account_pages:
            try:
                response = tab.goto(live_server.url + page.url)
            except Exception as exc:  # a timeout: report it with the others
                failures.append(Failure(account, page.url, f"Chromium : {str(exc).splitlines()[0]}"))
                continue
            if response is None or response.status != 200:
                status = response.status if response else "aucune réponse"
                failures.append(Failure(account, page.url, f"{status} dans Chromium", page.source))
                continue
            checked += 1
            lines = axe_violations(tab, nodes=2)
            if lines:
                failures.append(Failure(account, page.url, "axe-core à 1280 px :\n" + "\n".join(lines)))
            for error in tab.js_errors:
                kind = "violation CSP" if error.startswith("CSP") else "erreur JavaScript"
                failures.append(Failure(account, page.url, f"{kind} : {error[:200]}"))
            tab.js_errors.clear()
        context.close()

    distinct = len({page.url for page in pages})
    visitors = len(clients) + 1
    summary = (
        f"{distinct} pages × {visitors} accounts ({len(clients)} demo accounts and an anonymous visitor), "
        f"{len(pages)} visits, {checked} axe-core checks, {len(failures)} errors "
        f"(crawl {crawled:.0f} s, total {time.monotonic() - started:.0f} s)"
    )
    with capsys.disabled():
        print(f"\ncrawl: {summary}")
        for name, reason in AXE_EXEMPT.items():
            print(f"  not given to axe-core: {name} ({reason})")
    assert distinct >= 100 and checked >= 50, f"the crawl saw too little to prove anything: {summary}"
    assert not failures, summary + "\n" + "\n".join(map(str, failures))

"""In Chromium: the Content-Security-Policy refuses injected script and style, and our own pages
raise no violation (the crawl checks every page; these show the listener catches one)."""

import pytest

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_inline_script_without_nonce_is_refused_and_reported(browser, live_server, personas):
    from .conftest import DESKTOP, _new_page

    context, page = _new_page(browser, DESKTOP)
    login(page, live_server, personas.case_worker_a.user.email)
    # What an injected <script> would do: the policy refuses it and the listener records it.
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.pwned") is None
    assert any(error.startswith("CSP") for error in page.js_errors), page.js_errors
    context.close()


def test_pages_with_bars_and_forms_raise_no_violation(page, live_server, personas):
    login(page, live_server, personas.case_worker_a.user.email)
    page.goto(f"{live_server.url}/personnes/nouvelle/")
    page.get_by_role("button", name="Créer le dossier").click()
    page.locator("[data-error-summary]").wait_for()
    check_page(page)
    # The page fixture fails the test on any CSP violation (see conftest).


def test_swagger_ui_runs_from_our_files_under_the_policy(page, live_server, personas):
    """The API docs page (not crawled by axe-core) renders with no CDN and no CSP violation."""
    login(page, live_server, personas.case_worker_a.user.email)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs")
    page.locator(".swagger-ui .opblock-tag").first.wait_for(state="attached", timeout=30_000)
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
    # The page fixture fails the test on any CSP violation or JavaScript error.

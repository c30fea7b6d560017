"""Browser fixtures: one Chromium for the session, a fresh context per test, axe-core checks.

Chromium is Debian's /usr/bin/chromium (no browser download is possible here). If it is missing
the tests fail: an accessibility suite that skips itself silently is worse than none.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from jalon.structures.models import Commune
from jalon.structures.territories import commune_fields, iter_communes
from jalon.text import normalize

from ..conftest import PASSWORD

# Playwright's sync API keeps an asyncio loop alive in this thread; Django would otherwise
# refuse every ORM call made by the test code (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
BLOCKING_IMPACTS = {"serious", "critical"}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Pages checked by axe-core during the run, as (path, viewport width): printed at the end.
CHECKED: list[tuple[str, int]] = []

_axe = Axe()

CSP_PREFIX = "securitypolicyviolation:"
CSP_LISTENER = (
    'document.addEventListener("securitypolicyviolation", (e) => console.error("'
    + CSP_PREFIX
    + ' " + e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber));'
)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris", **options)
    context.set_default_timeout(10_000)

    # Nothing leaves the machine: a page that needs the network is a bug (and there is none here).
    def only_loopback(route):
        if urlsplit(route.request.url).hostname in LOOPBACK or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_loopback)
    # Every Content-Security-Policy refusal is a failure like a JavaScript error: the browser
    # fires securitypolicyviolation (reported through the console here) and logs its own line.
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))

    def on_console(message):
        text = message.text
        if text.startswith(CSP_PREFIX) or (message.type == "error" and "Content Security Policy" in text):
            page.js_errors.append(f"CSP : {text}")

    page.on("console", on_console)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()
    assert not page.js_errors, f"JavaScript errors: {page.js_errors}"


@pytest.fixture
def phone_page(browser):
    context, page = _new_page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()
    assert not page.js_errors, f"JavaScript errors: {page.js_errors}"


def login(page, live_server, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form, as a person would."""
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")


def axe_violations(page, nodes: int = 5) -> list[str]:
    """axe-core's serious and critical violations on the current page, one line each, with up
    to `nodes` offending elements under each; empty when there is none."""
    page.wait_for_load_state("load")
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    CHECKED.append((urlsplit(page.url).path, page.viewport_size["width"]))
    lines = []
    for violation in blocking:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:nodes]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return lines


def assert_accessible(page) -> None:
    """Fail on any axe-core violation of impact serious or critical on the current page."""
    lines = axe_violations(page)
    if lines:
        header = f"axe-core on {page.url} at {page.viewport_size['width']}px:"
        pytest.fail("\n".join([header, *lines]), pytrace=False)


def assert_no_horizontal_scroll(page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(
            """(width) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .slice(0, 5).map(e => e.outerHTML.slice(0, 150))""",
            width,
        )
        pytest.fail(
            f"{page.url} scrolls sideways at {width}px (scrollWidth {scroll_width}): {culprits}",
            pytrace=False,
        )


def check_page(page) -> None:
    """Every page visited: axe-core, and no sideways scrolling at the current width."""
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


CONSENT_LABEL = "La personne accepte d'être accompagnée et que ses informations soient gardées"


def pick_commune(page, typed: str, label: str) -> None:
    """Type part of a commune name, wait for htmx to fill the suggestions, choose one.

    Headless Chromium draws no <datalist> pop-up, so choosing means putting the suggestion's
    exact text in the field, which is what clicking it does.
    """
    field = page.get_by_label("Commune", exact=True)
    field.fill("")
    field.press_sequentially(typed, delay=20)
    page.locator(f'#communes-suggestions option[value="{label}"]').wait_for(state="attached")
    field.fill(label)


def fill_new_person(page, *, first_name: str, last_name: str, phone: str, commune: tuple[str, str] | None):
    page.get_by_label("Prénom", exact=True).fill(first_name)
    page.get_by_label("Nom", exact=True).fill(last_name)
    page.get_by_label("Téléphone", exact=True).fill(phone)
    if commune:
        pick_commune(page, *commune)
    page.get_by_label(CONSENT_LABEL).check()


# A live_server test is transactional: the commune table loaded by a data migration is emptied
# after each one. Reloading all 35,000 rows per test costs seconds, so load only what is used.
COMMUNE_PREFIXES = ("montreuil",)  # ambiguous on its own: a suggestion must be picked
_commune_rows: list[dict] = []


@pytest.fixture
def communes(transactional_db):
    if not _commune_rows:
        _commune_rows.extend(
            row for row in iter_communes() if normalize(row["name"]).startswith(COMMUNE_PREFIXES)
        )
    Commune.objects.bulk_create(
        [Commune(**commune_fields(row)) for row in _commune_rows],
        ignore_conflicts=True,
    )


def pytest_terminal_summary(terminalreporter):
    if CHECKED:
        widths = sorted({width for _, width in CHECKED})
        terminalreporter.write_line(
            f"axe-core: {len(CHECKED)} page checks, {len(set(CHECKED))} distinct (page, width) pairs, "
            f"widths {widths}, no serious/critical violation allowed."
        )

"""Keyboard alone: skip link first, every focused element visibly focused, a file created without a mouse."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from jalon.people.models import Person

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_INFO = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    description: `${e.tagName.toLowerCase()}#${e.id} ${(e.innerText || e.value || '').trim().slice(0, 40)}`,
    focusVisible: e.matches(':focus-visible'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    onScreen: box.width > 1 && box.height > 1,
    nativePicker: e.type === 'date' && !e.matches(':focus'),
    outlineColor: style.outlineColor,
    // What the outline is drawn over: sample just outside the element's left and right edges and
    // take the first painted background there (the outline itself is not hit-tested).
    backgrounds: (() => {
      const gap = (parseFloat(style.outlineOffset) || 0) + (parseFloat(style.outlineWidth) || 0) / 2;
      const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
      return [box.left - gap, box.right + gap]
        .filter(x => x >= 0 && x < innerWidth)
        .map(x => {
          for (const under of document.elementsFromPoint(x, y)) {
            const c = getComputedStyle(under).backgroundColor;
            if (c !== 'transparent' && !c.endsWith(', 0)')) return c;
          }
          return 'rgb(255, 255, 255)';
        });
    })(),
  };
}"""


def assert_focus_visible(page) -> dict:
    info = page.evaluate(FOCUS_INFO)
    if info["nativePicker"]:
        # Chromium's own calendar button inside a date input: the page cannot style it, and the
        # browser draws its focus ring around it.
        return info
    assert info["onScreen"], f"focus went to something not on screen: {info['description']}"
    assert info["focusVisible"] and info["outlineStyle"] != "none" and info["outlineWidth"] >= 2, (
        f"no visible focus indicator on {info}"
    )
    ratio = min(contrast(info["outlineColor"], bg) for bg in info["backgrounds"])
    assert ratio >= 3, f"focus outline contrast {ratio:.2f}:1 < 3:1 (WCAG 1.4.11) on {info}"
    return info


def _luminance(css_color: str) -> float:
    red, green, blue = (int(float(v)) / 255 for v in re.findall(r"[\d.]+", css_color)[:3])
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(color: str, background: str) -> float:
    light, dark = sorted([_luminance(color), _luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def tab_to(page, predicate: str, max_presses: int = 60) -> None:
    """Press Tab until the focused element matches the JS predicate, checking focus all the way."""
    # Styles must be applied before focus styles are judged: the URL changes before they load.
    page.wait_for_load_state("load")
    seen = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        info = assert_focus_visible(page)
        seen.append(info["description"])
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    pytest.fail(f"Tab never reached {predicate}; went through {seen}")


def skip_to_content(page) -> None:
    """The first Tab on a fresh page lands on the skip link, which moves focus to <main>."""
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    info = assert_focus_visible(page)
    assert info["description"].endswith("Aller au contenu"), f"first Tab went to {info['description']}"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_keyboard_only_login_list_and_creation(page, live_server, personas, communes):
    page.goto(f"{live_server.url}/comptes/login/")
    skip_to_content(page)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()  # the form is the first thing in main
    assert_focus_visible(page)
    page.keyboard.type(personas.case_worker_a.user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type("motdepasse-test-1")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")

    tab_to(page, "e => e.tagName === 'A' && e.textContent.trim() === 'Personnes'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/personnes/")
    skip_to_content(page)
    tab_to(page, "e => e.textContent.trim() === 'Nouvelle personne'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/personnes/nouvelle/")

    skip_to_content(page)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Prénom", exact=True)).to_be_focused()
    page.keyboard.type("Inès")
    page.keyboard.press("Tab")
    page.keyboard.type("Clavier")
    tab_to(page, "e => e.id === 'id_birth_date'")
    # Headless Chromium keeps the mm/dd/yyyy order whatever the page locale; a day equal to
    # its month types the same in either order.
    page.keyboard.type("04041995")
    tab_to(page, "e => e.id === 'id_phone'")
    page.keyboard.type("06 11 22 33 44")
    tab_to(page, "e => e.id === 'id_commune'")
    page.keyboard.type("montreuil")
    page.locator('#communes-suggestions option[value="Montreuil (93100) — 93048"]').wait_for(state="attached")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Montreuil (93100) — 93048")
    tab_to(page, "e => e.name === 'has_smartphone'")  # a radio group: arrows choose within it
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Oui").first).to_be_checked()
    tab_to(page, "e => e.id === 'id_accompaniment_consent'")
    page.keyboard.press("Space")
    expect(page.locator("#id_accompaniment_consent")).to_be_checked()
    tab_to(page, "e => e.tagName === 'BUTTON' && e.textContent.includes('Créer le dossier')")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/personnes/\d+/(#contenu)?$"))
    expect(page.get_by_role("status")).to_have_text("Le dossier est créé.")
    check_page(page)
    person = Person.objects.get(last_name="Clavier")
    assert person.first_name == "Inès"
    assert person.birth_date == datetime.date(1995, 4, 4)
    assert person.phone == "+33611223344"
    assert person.commune_id == "93048"
    assert person.has_smartphone is True
    assert person.consents.filter(purpose="accompagnement", withdrawn_at__isnull=True).exists()


def test_skip_link_first_on_people_list_at_phone_width(phone_page, live_server, personas):
    login(phone_page, live_server, personas.case_worker_a.user.email)
    phone_page.goto(f"{live_server.url}/personnes/")
    skip_to_content(phone_page)
    phone_page.keyboard.press("Tab")  # next stop is inside main, not back in the header
    assert phone_page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert_focus_visible(phone_page)

"""Pages for people without an account are translated whole, in every language we offer.

Two checks. Every string marked for translation in a public template or view has a translation
in the compiled catalogue (jalon/locale/<lang>/LC_MESSAGES/django.mo) of each language: a fuzzy
entry, an empty one, or a .po not compiled again (`make messages`) counts as missing. And the
multilingual page, read in each language, has no French left outside the data it shows: a string
nobody marked is caught there.
"""

import ast
import gettext as gnu_gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.translation.template import templatize

from tests.html_tree import parse

ROOT = Path(settings.BASE_DIR) / "jalon"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "fr"]
# Public pages: their templates (with the skeleton they extend) and the code that writes their words.
PUBLIC_TEMPLATES = sorted((ROOT / "templates" / "public").glob("*.html")) + [ROOT / "templates" / "base.html"]
PUBLIC_CODE = sorted((ROOT / "www" / "public").glob("*.py")) + [ROOT / "www" / "directory" / "public.py"]

GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
_TEMPLATE_CALL = re.compile(r"\b(p?gettext)\(((?:\s*u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*,?)+)")


def _template_msgids(path: Path) -> set[str]:
    msgids = set()
    for function, args in _TEMPLATE_CALL.findall(templatize(path.read_text(), origin=str(path))):
        strings = ast.literal_eval(f"({args.strip().rstrip(',')},)")
        msgids.add(strings[1] if function == "pgettext" else strings[0])
    return msgids


def _code_msgids(path: Path) -> set[str]:
    msgids = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_CALLS or not node.args:
            continue
        index = 1 if name.startswith("pgettext") else 0
        if len(node.args) > index and isinstance(node.args[index], ast.Constant):
            msgids.add(node.args[index].value)
    return msgids


def public_msgids() -> dict[str, str]:
    """msgid → the file that uses it."""
    found = {}
    for path in PUBLIC_TEMPLATES:
        found.update(dict.fromkeys(_template_msgids(path), str(path.relative_to(ROOT))))
    for path in PUBLIC_CODE:
        found.update(dict.fromkeys(_code_msgids(path), str(path.relative_to(ROOT))))
    return found


_MISSING = object()


class _Missing(gnu_gettext.NullTranslations):
    def gettext(self, message):
        return _MISSING


def catalogue(language: str):
    translations = gnu_gettext.translation("django", ROOT / "locale", languages=[language])
    translations.add_fallback(_Missing())
    return translations


def test_the_public_pages_mark_strings_for_translation():
    msgids = public_msgids()
    # The extraction itself works: strings of the template, of the form and of the view.
    assert {"Trouver un service près de chez vous", "Aller au contenu", "Votre commune"} <= set(msgids)
    assert "Choisissez d'abord votre commune : la distance se compte depuis elle." in msgids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_msgid_is_translated(language):
    translations = catalogue(language)
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in sorted(public_msgids().items(), key=lambda item: (item[1], item[0]))
        if translations.gettext(msgid) is _MISSING
    ]
    assert not missing, f"No {language} translation (or fuzzy, or not compiled) for:\n" + "\n".join(missing)


def _visible_text(response) -> set[str]:
    tree = parse(response.content.decode())
    texts = set()

    def walk(node):
        if node.tag in ("script", "style", "title") or "lang" in node.attrs and node.tag != "html":
            return  # a part in another language on purpose (language names, French descriptions)
        for child in node.children:
            if isinstance(child, str):
                text = " ".join(html.unescape(child).split())
                if re.search(r"[^\W\d_]{2}", text):
                    texts.add(text)
            else:
                walk(child)
        for attribute in ("aria-label", "placeholder", "alt"):
            if node.attrs.get(attribute):
                texts.add(node.attrs[attribute])

    walk(tree)
    return texts


SPELT_ALIKE = {"en": {"Distance"}}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_directory_page_has_no_french_left(language):
    url = reverse("public_services")
    search = {"q": "emploi", "commune": "Atlantide", "rayon": "10"}  # a form error, every field shown
    french = _visible_text(Client().get(url, {**search, "langue": "fr"}))
    other = _visible_text(Client().get(url, {**search, "langue": language}))
    # What stays the same: the product's name, the typed search, the place, and words that
    # happen to be spelt alike.
    same = {"Jalon", "emploi", "Atlantide"} | SPELT_ALIKE.get(language, set())
    left = sorted((french & other) - same)
    assert not left, f"French left on the page in {language}: {left}"

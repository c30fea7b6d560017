"""The user guide (jalon/guide/*.md, shipped with the package) rendered in the app.

The guide is ours, written in Markdown by the project: it is rendered as it is (no user input
goes through here). Its HTML carries no script and no style attribute, so it stays CSP-safe.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import markdown
from django.http import Http404
from django.urls import reverse
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

GUIDE_DIR = Path(__file__).resolve().parent.parent.parent / "guide"
# Pages in reading order (the file name without .md is the page's slug).
PAGES = ("index", "accueil", "agenda", "parcours", "annuaire", "indicateurs")

# Which section of the guide explains each screen: url_name → "page#anchor".
# A screen not listed opens the guide's first page. tests/shell/test_help.py checks that each
# url_name exists and each anchor is a heading of the guide.
SECTIONS = {
    "home": "index#laccueil",
    "privacy": "index#donnees-personnelles-et-mentions-legales",
    "legal_notice": "index#donnees-personnelles-et-mentions-legales",
    "structure_switch": "index#changer-de-structure",
    "account_login": "index#se-connecter",
    "account_reset_password": "index#se-connecter",
    "account": "index#mon-compte",
    "api_tokens": "index#mon-compte",
    "password_change": "index#mon-compte",
    "mfa_index": "index#double-authentification",
    "mfa_activate_totp": "index#double-authentification",
    "mfa_authenticate": "index#double-authentification",
    "mfa_reauthenticate": "index#redemande-du-mot-de-passe",
    "account_reauthenticate": "index#redemande-du-mot-de-passe",
    "mfa_view_recovery_codes": "index#double-authentification",
    "mfa_generate_recovery_codes": "index#double-authentification",
    "mfa_list_webauthn": "index#double-authentification",
    "mfa_add_webauthn": "index#double-authentification",
    "people_list": "index#les-personnes",
    "person_create": "index#les-personnes",
    "person_detail": "index#les-personnes",
    "person_edit": "index#les-personnes",
    "consent_add": "index#les-personnes",
    "consent_withdraw": "index#les-personnes",
    "person_sensitive": "index#les-personnes",
    "person_access_log": "index#les-personnes",
    "person_erase": "index#les-personnes",
    "structure_settings": "index#administrer-la-structure",
    "structure_partner_add": "index#administrer-la-structure",
    "structure_members": "index#administrer-la-structure",
    "structure_member_edit": "index#administrer-la-structure",
    "structure_audit": "index#administrer-la-structure",
    "structure_outbox": "index#administrer-la-structure",
    "referral_inbox": "accueil#les-demandes-recues",
    "referral_create": "accueil#les-demandes-recues",
    "referral_detail": "accueil#traiter-une-demande",
    "referral_status": "accueil#traiter-une-demande",
    "referral_assign": "accueil#traiter-une-demande",
    "referral_welcome": "accueil#traiter-une-demande",
    "person_intake": "accueil#le-point-de-situation",
    "person_intake_add": "accueil#le-point-de-situation",
    "person_plan": "accueil#le-plan-daction",
    "person_plan_add": "accueil#le-plan-daction",
    "plan_actions_mine": "accueil#le-plan-daction",
    "orientation_create": "accueil#orienter",
    "orientation_list": "accueil#orienter",
    "orientation_detail": "accueil#orienter",
    "orientation_answer": "accueil#orienter",
    "orientation_move": "accueil#orienter",
    "referrer_list": "accueil#les-relais",
    "referrer_create": "accueil#les-relais",
    "referrer_detail": "accueil#les-relais",
    "referrer_edit": "accueil#les-relais",
    "referrer_prospection": "accueil#les-relais",
    "referrer_link": "accueil#les-relais",
    "agenda": "agenda#lagenda",
    "appointment_create": "agenda#fixer-un-rendez-vous",
    "appointment_detail": "agenda#noter-la-presence",
    "appointment_cancel": "agenda#annuler",
    "person_appointments": "agenda#fixer-un-rendez-vous",
    "person_booking_link": "agenda#la-personne-choisit-elle-meme-son-creneau",
    "referral_booking_link": "agenda#la-personne-choisit-elle-meme-son-creneau",
    "place_list": "agenda#lieux-partages-et-permanences",
    "place_detail": "agenda#lieux-partages-et-permanences",
    "place_permanence_add": "agenda#lieux-partages-et-permanences",
    "programme_list": "parcours#construire-un-programme-coordination-administration",
    "programme_detail": "parcours#construire-un-programme-coordination-administration",
    "programme_copy": "parcours#construire-un-programme-coordination-administration",
    "stage_add": "parcours#construire-un-programme-coordination-administration",
    "stage_rule_add": "parcours#construire-un-programme-coordination-administration",
    "session_create": "parcours#sessions",
    "session_detail": "parcours#sessions",
    "session_teams": "parcours#sessions",
    "session_trainer_add": "parcours#sessions",
    "stage_proposals": "parcours#sessions",
    "slot_roll_call": "parcours#faire-lappel",
    "person_pathway": "parcours#parcours-dune-personne-et-sorties",
    "person_pathway_record": "parcours#parcours-dune-personne-et-sorties",
    "programme_dashboard": "parcours#tableau-de-bord",
    "directory_search": "annuaire#chercher",
    "service_finder": "annuaire#chercher",
    "directory_offer": "annuaire#notre-offre",
    "directory_import_status": "annuaire#notre-offre",
    "indicators": "indicateurs#ce-que-veut-dire-chaque-chiffre",
}


def help_url(url_name: str | None) -> str:
    page, _, anchor = SECTIONS.get(url_name or "", "index").partition("#")
    return reverse("help_page", args=[page]) + (f"#{anchor}" if anchor else "")


_MD_LINK = re.compile(r"^(?P<page>[a-z0-9_-]+)\.md(?:#(?P<anchor>[\w-]+))?$")


class _GuideLinks(Treeprocessor):
    """Links between guide pages (accueil.md#orienter) point to the help pages; tables get
    Bootstrap's classes."""

    def run(self, root: ElementTree.Element):
        for link in root.iter("a"):
            match = _MD_LINK.match(link.get("href", ""))
            if match and match["page"] in PAGES:
                url = reverse("help_page", args=[match["page"]])
                link.set("href", url + (f"#{match['anchor']}" if match["anchor"] else ""))
        for table in root.iter("table"):
            table.set("class", "table table-sm")


class _GuideExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_GuideLinks(md), "jalon_guide_links", 1)


@dataclass(frozen=True)
class GuidePage:
    slug: str
    title: str
    html: str
    anchors: frozenset[str]
    sections: tuple[tuple[str, str], ...]  # (anchor, title) of the level-2 headings


def _flatten(tokens):
    for token in tokens:
        yield token
        yield from _flatten(token["children"])


@lru_cache(maxsize=len(PAGES))
def _render(slug: str, mtime: float) -> GuidePage:
    text = (GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")
    md = markdown.Markdown(extensions=["toc", "tables", "sane_lists", _GuideExtension()])
    html = md.convert(text)
    # Wide tables scroll inside their box on a phone instead of widening the page.
    html = html.replace("<table", '<div class="table-responsive"><table').replace(
        "</table>", "</table></div>"
    )
    tokens = list(_flatten(md.toc_tokens))
    title = next((t["name"] for t in tokens if t["level"] == 1), slug)
    sections = tuple((t["id"], t["name"]) for t in tokens if t["level"] == 2)
    return GuidePage(slug, title, html, frozenset(t["id"] for t in tokens), sections)


def page(slug: str) -> GuidePage:
    if slug not in PAGES:
        raise Http404("Page d'aide inconnue.")
    path = GUIDE_DIR / f"{slug}.md"
    if not path.is_file():
        raise Http404("Page d'aide absente.")
    # The modification time in the key: an edited guide shows at once, without a restart.
    return _render(slug, path.stat().st_mtime)


def titles() -> list[tuple[str, str]]:
    return [(slug, page(slug).title) for slug in PAGES]

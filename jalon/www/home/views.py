from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from jalon.people.models import PersonEvent
from jalon.programmes import selectors
from jalon.programmes.models import Programme
from jalon.www.menu import menu_for

from .todo import todo_for


@dataclass
class MainAction:
    label: str
    url: str


def _first_roll_call(todo) -> str | None:
    for item in todo:
        try:
            if resolve(item.url.split("?")[0]).url_name == "slot_roll_call":
                return item.url
        except Resolver404:
            continue
    return None


def _led_sessions(membership, user):
    """The sessions the user leads, from two weeks ago on: the list of those whose work is
    sessions (roll calls without files to keep); the others reach them through Programmes."""
    if not membership.can("attendance.take") or membership.can("people.edit"):
        return []
    since = timezone.localdate() - timedelta(days=14)
    return list(selectors.sessions_led_by(membership.structure, user, since=since)[:6])


def main_actions(membership, menu, todo, sessions) -> list[MainAction]:
    """The buttons of the home page: each role's main work first, and only in areas its menu
    offers (so never a link to a page that refuses the role)."""
    offered = {item["url_name"] for item in menu["main"] + menu["admin"]}
    actions = []

    def add(label, url, area=None):
        if area is None or area in offered:
            actions.append(MainAction(label, url))

    if membership.can("structure.manage"):
        add("Membres", reverse("structure_members"), "structure_members")
        add("Ma structure", reverse("structure_settings"), "structure_settings")
    roll_call = _first_roll_call(todo)
    if roll_call:
        add("Faire l'appel", roll_call)
    if sessions:
        add("Mes sessions", "#mes-sessions")
    if membership.can("programmes.manage"):
        add("Programmes", reverse("programme_list"), "programme_list")
        programmes = list(
            Programme.objects.run_by(membership.structure).order_by("name").values("pk", "name")[:3]
        )
        for programme in programmes:
            label = "Tableau de bord" if len(programmes) == 1 else f"Tableau de bord : {programme['name']}"
            add(label, reverse("programme_dashboard", args=[programme["pk"]]), "programme_list")
    if membership.can("people.edit"):
        add("Nouvelle personne", reverse("person_create"), "people_list")
        add("Demandes", reverse("referral_inbox"), "referral_inbox")
        add("Chercher une personne", reverse("people_list"), "people_list")
    elif not membership.can("attendance.take"):
        # Read-only members: the lists they are there to read.
        add("Personnes", reverse("people_list"), "people_list")
        add("Demandes", reverse("referral_inbox"), "referral_inbox")
        add("Orientations", reverse("orientation_list"), "orientation_list")
        add("Indicateurs", reverse("indicators"), "indicators")
    if not actions:
        add("Programmes", reverse("programme_list"), "programme_list")
    return actions


def home(request):
    membership = request.membership
    if membership is None:
        return render(request, "home/no_structure.html")
    recent = (
        PersonEvent.objects.filter(structure=membership.structure, actor=request.user)
        .select_related("person")
        .order_by("-occurred_at", "-id")[:8]
        if membership.can("people.edit")
        else []
    )
    todo = todo_for(membership, request.user)
    sessions = _led_sessions(membership, request.user)
    menu = menu_for(membership, "home")
    return render(
        request,
        "home/home.html",
        {
            "todo": todo,
            "recent": recent,
            "sessions": sessions,
            "actions": main_actions(membership, menu, todo, sessions),
        },
    )


FAVICON = Path(__file__).resolve().parent.parent.parent / "static" / "jalon" / "favicon.ico"


@login_not_required
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, for the browsers and tools that ask for it without reading the page's head."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


def bare(request):
    """The benchmark's reference: a login-protected page doing the minimum (see bench/)."""
    from django.http import HttpResponse

    return HttpResponse("ok")

"""The main menu, by what each member can do.

An entry shows when its page would answer the member (its `page` permission: no link to a 403)
and when it is part of the member's work: one of its `work` permissions. A member who may only
read (no permission beyond people.view) sees every list they may read. So a trainer, who takes
roll calls and changes no file, is not sent to the intake pipeline they cannot act on.
"""

from dataclasses import dataclass

from django.urls import reverse

READ = "people.view"


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    page: str | None = READ
    work: frozenset[str] = frozenset()
    also_active: tuple[str, ...] = ()


PEOPLE_WORK = frozenset({"people.edit"})

MAIN = (
    Entry("Accueil", "home", page=None),
    Entry("Demandes", "referral_inbox", work=PEOPLE_WORK, also_active=("referral_detail", "referral_create")),
    Entry("Relais", "referrer_list", work=PEOPLE_WORK, also_active=("referrer_detail", "referrer_create")),
    Entry("Personnes", "people_list", work=PEOPLE_WORK, also_active=("person_create",)),
    Entry("Orientations", "orientation_list", work=PEOPLE_WORK, also_active=("orientation_detail",)),
    Entry("Agenda", "agenda", work=PEOPLE_WORK | {"structure.manage"}, also_active=("appointment_create",)),
    Entry(
        "Programmes",
        "programme_list",
        work=frozenset({"programmes.manage", "attendance.take"}),
        also_active=("programme_detail", "session_detail", "slot_roll_call", "programme_dashboard"),
    ),
    Entry("Annuaire", "directory_search", work=PEOPLE_WORK | {"structure.manage"}),
    Entry("Indicateurs", "indicators", work=PEOPLE_WORK | {"programmes.manage", "structure.manage"}),
)

ADMINISTRATION = (
    Entry("Ma structure", "structure_settings", page="structure.manage"),
    Entry("Membres", "structure_members", page="structure.manage", also_active=("structure_member_edit",)),
    Entry("Journal", "structure_audit", page="audit.view"),
    Entry("Messages", "structure_outbox", page="structure.manage"),
)


def _is_reader(membership) -> bool:
    from jalon.structures.models import ROLE_PERMISSIONS

    granted = ROLE_PERMISSIONS.get(membership.role, set()) if membership.is_active else set()
    return bool(granted) and granted <= {READ}


def _shown(entry: Entry, membership, reader: bool) -> bool:
    if entry.page is not None and not membership.can(entry.page):
        return False
    if not entry.work:
        return True
    return reader or any(membership.can(p) for p in entry.work)


def _item(entry: Entry, here: str | None) -> dict:
    return {
        "label": entry.label,
        "url": reverse(entry.url_name),
        "url_name": entry.url_name,
        "active": here is not None and (here == entry.url_name or here in entry.also_active),
    }


def menu_for(membership, here: str | None) -> dict:
    """{"main": [...], "admin": [...]} for the current membership (empty without one)."""
    if membership is None:
        return {"main": [_item(MAIN[0], here)], "admin": []}
    reader = _is_reader(membership)
    main = [_item(e, here) for e in MAIN if _shown(e, membership, reader)]
    admin = [_item(e, here) for e in ADMINISTRATION if _shown(e, membership, reader)]
    return {"main": main, "admin": admin, "admin_active": any(i["active"] for i in admin)}

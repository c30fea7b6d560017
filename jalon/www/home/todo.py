"""The day's "à faire" on the home page.

Each provider returns a few items for the current membership; later features (referrals,
action plans, sessions) register their own. Every provider must run a bounded number of queries.
A line that is a count returns a `Counted`: todo_for() counts them all in one query (a dozen
small counts cost a dozen round trips, most of the page), then drops the lines counting zero.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from jalon.notifications.models import MessageStatus, OutboxMessage
from jalon.pagination import capped_counts
from jalon.people import retention
from jalon.people.models import Consent, ConsentPurpose, Person
from jalon.structures.models import Invitation


@dataclass
class TodoItem:
    label: str
    count: int
    more: bool
    url: str
    level: str = "info"


@dataclass
class Counted:
    """A to-do line whose count todo_for() reads, with the others, in one query; shown if not zero."""

    label: str
    queryset: QuerySet
    url: str
    level: str = "info"
    cap: int | None = 99  # None: an exact count


PROVIDERS = []


def provider(func):
    PROVIDERS.append(func)
    return func


@provider
def people_without_consent(membership, user):
    if not membership.can("people.edit"):
        return []
    active = Consent.objects.active().filter(person=OuterRef("pk"), purpose=ConsentPurpose.ACCOMPANIMENT)
    queryset = Person.objects.owned_by(membership.structure).filter(referent=user).exclude(Exists(active))
    return [
        Counted(
            "personnes que vous suivez sans accord d'accompagnement enregistré",
            queryset,
            reverse("people_list") + "?mine=on",
            "warning",
        )
    ]


@provider
def files_near_retention(membership, user):
    if not membership.can("people.edit"):
        return []
    # The files the daily retention job warned about (jalon.people.retention): it anonymises them
    # 30 days after the notice unless someone records a contact.
    queryset = retention.noticed(membership.structure).filter(referent=user)
    return [
        Counted(
            "dossiers sans contact depuis longtemps : ils seront rendus anonymes dans moins de 30 jours",
            queryset,
            reverse("people_list") + "?mine=on",
            "warning",
        )
    ]


@provider
def failed_messages(membership, user):
    if not membership.can("structure.manage"):
        return []
    queryset = OutboxMessage.objects.for_structure(membership.structure).filter(status=MessageStatus.FAILED)
    return [
        Counted(
            "messages n'ont pas pu être envoyés",
            queryset,
            reverse("structure_outbox") + "?statut=failed",
            "danger",
        )
    ]


@provider
def pending_invitations(membership, user):
    if not membership.can("structure.manage"):
        return []
    recent = timezone.now() - Invitation.VALIDITY
    queryset = Invitation.objects.filter(
        structure=membership.structure,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        created_at__gte=recent,
    )
    return [Counted("invitations en attente de réponse", queryset, reverse("structure_members"))]


def todo_for(membership, user) -> list[TodoItem]:
    lines = [line for func in PROVIDERS for line in func(membership, user)]
    counted = [line for line in lines if isinstance(line, Counted)]
    values = dict(zip(map(id, counted), capped_counts([(c.queryset, c.cap) for c in counted]), strict=True))
    items = []
    for line in lines:
        if isinstance(line, Counted):
            count, more = values[id(line)]
            if not count:
                continue
            line = TodoItem(line.label, count, more, line.url, line.level)
        items.append(line)
    return items


# Feature areas register their providers when imported (after `provider` exists).
from jalon.www.agenda import todo as _agenda_todo  # noqa: E402, F401
from jalon.www.directory import todo as _directory_todo  # noqa: E402, F401
from jalon.www.programmes import todo as _programmes_todo  # noqa: E402, F401
from jalon.www.referrals import todo as _referrals_todo  # noqa: E402, F401
from jalon.www.referrers import todo as _referrers_todo  # noqa: E402, F401

"""Home-page "à faire" items of this area (registered with jalon.www.home.todo.provider)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jalon.pagination import capped_count
from jalon.referrals import selectors
from jalon.referrals.models import Referral, ReferralStatus
from jalon.www.home.todo import TodoItem, provider


def _item(queryset, label, url, level="info"):
    count, more = capped_count(queryset, cap=99)
    return [TodoItem(label, count, more, url, level)] if count else []


@provider
def referrals_to_call(membership, user):
    if not membership.can("people.edit"):
        return []
    # Two capped counts on the (structure, assigned_to, status) index: bounded however long the
    # backlog (one uncapped aggregate took 34 ms on PostgreSQL with 16,000 new referrals).
    new = Referral.objects.for_structure(membership.structure).filter(status=ReferralStatus.NEW)
    inbox = reverse("referral_inbox")
    return _item(
        new.filter(assigned_to=user),
        "demandes qui vous sont confiées attendent un premier appel",
        inbox + "?statut=nouvelle&qui=moi",
        "warning",
    ) + _item(
        new.filter(assigned_to__isnull=True),
        "nouvelles demandes ne sont confiées à personne",
        inbox + "?statut=nouvelle&qui=personne",
        "warning",
    )


@provider
def plan_actions_due(membership, user):
    if not membership.can("people.edit"):
        return []
    soon = timezone.localdate() + timedelta(days=7)
    queryset = selectors.open_plan_actions(membership.structure, user, due_by=soon)
    return _item(
        queryset,
        "actions de plans d'action à faire dans les 7 jours (ou en retard)",
        reverse("plan_actions_mine"),
    )


@provider
def orientations_waiting(membership, user):
    # Answering an orientation needs people.edit: a trainer or a reader cannot act on the list.
    if not membership.can("people.edit"):
        return []
    counts = selectors.orientations_waiting(membership.structure, user)
    listing = reverse("orientation_list")
    items = []
    if counts["received"]:
        items.append(
            TodoItem(
                "orientations reçues attendent votre réponse",
                counts["received"],
                False,
                listing + "?cote=recues&statut=proposee",
                "warning",
            )
        )
    if counts["late"]:
        items.append(
            TodoItem(
                "orientations envoyées sans réponse depuis plus de 10 jours",
                counts["late"],
                False,
                listing + "?statut=proposee",
            )
        )
    return items

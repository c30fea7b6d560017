"""Home-page "à faire": the structure's published services not updated for six months."""

from django.urls import reverse

from jalon.directory import freshness
from jalon.pagination import capped_count
from jalon.www.home.todo import TodoItem, provider


@provider
def stale_offer(membership, user):
    if not membership.can("structure.manage"):
        return []
    stale = freshness.own_services(membership.structure).filter(date_maj__lt=freshness.stale_before())
    count, more = capped_count(stale, cap=99)
    if not count:
        return []
    return [
        TodoItem(
            "services de votre offre à mettre à jour dans l'annuaire", count, more, reverse("directory_offer")
        )
    ]

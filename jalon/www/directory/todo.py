"""Home-page "à faire": the structure's published services not updated for six months."""

from django.urls import reverse

from jalon.directory import freshness
from jalon.www.home.todo import Counted, provider


@provider
def stale_offer(membership, user):
    if not membership.can("structure.manage"):
        return []
    stale = freshness.own_services(membership.structure).filter(date_maj__lt=freshness.stale_before())
    return [
        Counted("services de votre offre à mettre à jour dans l'annuaire", stale, reverse("directory_offer"))
    ]

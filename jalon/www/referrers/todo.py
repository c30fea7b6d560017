"""Home-page "à faire": the facilitator's referrers gone quiet, and prospection follow-ups due."""

from django.urls import reverse
from django.utils import timezone

from jalon.referrals.models import ProspectionEntry, Referrer
from jalon.www.home.todo import Counted, provider


@provider
def referrers_to_revive(membership, user):
    if not membership.can("people.edit"):
        return []
    dormant = Referrer.objects.for_structure(membership.structure).dormant().filter(facilitator=user)
    due = ProspectionEntry.objects.for_structure(membership.structure).filter(
        author=user,
        follow_up_on__lte=timezone.localdate(),
        follow_up_done_at__isnull=True,
    )
    return [
        Counted("relais en sommeil à relancer", dormant, reverse("referrer_list") + "?etat=sommeil&mine=on"),
        Counted(
            "relances de relais prévues aujourd'hui ou en retard", due, reverse("referrer_list") + "?mine=on"
        ),
    ]

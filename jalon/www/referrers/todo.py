"""Home-page "à faire": the facilitator's referrers gone quiet, and prospection follow-ups due."""

from django.urls import reverse
from django.utils import timezone

from jalon.pagination import capped_count
from jalon.referrals.models import ProspectionEntry, Referrer
from jalon.www.home.todo import TodoItem, provider


@provider
def referrers_to_revive(membership, user):
    if not membership.can("people.edit"):
        return []
    items = []
    dormant = Referrer.objects.for_structure(membership.structure).dormant().filter(facilitator=user)
    count, more = capped_count(dormant, cap=99)
    if count:
        items.append(
            TodoItem(
                "relais en sommeil à relancer",
                count,
                more,
                reverse("referrer_list") + "?etat=sommeil&mine=on",
            )
        )
    due = ProspectionEntry.objects.for_structure(membership.structure).filter(
        author=user,
        follow_up_on__lte=timezone.localdate(),
        follow_up_done_at__isnull=True,
    )
    count, more = capped_count(due, cap=99)
    if count:
        items.append(
            TodoItem(
                "relances de relais prévues aujourd'hui ou en retard",
                count,
                more,
                reverse("referrer_list") + "?mine=on",
            )
        )
    return items

"""Home-page "à faire" items of this area (registered with jalon.www.home.todo.provider)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jalon.referrals import selectors
from jalon.referrals.models import Orientation, OrientationStatus, Referral, ReferralStatus
from jalon.www.home.todo import Counted, provider


@provider
def referrals_to_call(membership, user):
    if not membership.can("people.edit"):
        return []
    # Two capped counts on the (structure, assigned_to, status) index: bounded however long the
    # backlog (one uncapped aggregate took 34 ms on PostgreSQL with 16,000 new referrals).
    new = Referral.objects.for_structure(membership.structure).filter(status=ReferralStatus.NEW)
    inbox = reverse("referral_inbox")
    return [
        Counted(
            "demandes qui vous sont confiées attendent un premier appel",
            new.filter(assigned_to=user),
            inbox + "?statut=nouvelle&qui=moi",
            "warning",
        ),
        Counted(
            "nouvelles demandes ne sont confiées à personne",
            new.filter(assigned_to__isnull=True),
            inbox + "?statut=nouvelle&qui=personne",
            "warning",
        ),
    ]


@provider
def plan_actions_due(membership, user):
    if not membership.can("people.edit"):
        return []
    soon = timezone.localdate() + timedelta(days=7)
    queryset = selectors.open_plan_actions(membership.structure, user, due_by=soon)
    return [
        Counted(
            "actions de plans d'action à faire dans les 7 jours (ou en retard)",
            queryset,
            reverse("plan_actions_mine"),
        )
    ]


@provider
def orientations_waiting(membership, user):
    # Answering an orientation needs people.edit: a trainer or a reader cannot act on the list.
    if not membership.can("people.edit"):
        return []
    structure = membership.structure
    late = timezone.now() - Orientation.REMIND_AFTER
    proposed = Orientation.objects.filter(status=OrientationStatus.PROPOSED)
    listing = reverse("orientation_list")
    # Two counts, not one aggregate over "received OR sent by me": each reads its own index range.
    return [
        Counted(
            "orientations reçues attendent votre réponse",
            proposed.received_by(structure),
            listing + "?cote=recues&statut=proposee",
            "warning",
            cap=None,
        ),
        Counted(
            "orientations envoyées sans réponse depuis plus de 10 jours",
            proposed.sent_by(structure).filter(from_user=user, created_at__lte=late),
            listing + "?statut=proposee",
            cap=None,
        ),
    ]

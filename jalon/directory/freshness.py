"""Freshness of a structure's published offer: services not updated for six months are flagged
to their owner, on the page and by a monthly reminder through the outbox (idempotent)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from jalon.links import absolute
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel, OutboxMessage
from jalon.structures.models import Structure

from .models import Service

STALE_AFTER = timedelta(days=183)


def stale_before(today=None):
    return (today or timezone.localdate()) - STALE_AFTER


def own_services(structure):
    return Service.objects.owned_by(structure)


def remind_owners(today=None) -> int:
    """Daily job: one e-mail a month to each owner with stale services. Returns how many were queued."""
    today = today or timezone.localdate()
    limit = stale_before(today)
    owners = (
        Structure.objects.annotate(
            stale=Count(
                "directory_structures__services", filter=Q(directory_structures__services__date_maj__lt=limit)
            )
        )
        .filter(stale__gt=0)
        .exclude(email="")
    )
    queued = 0
    for owner in owners:
        key = f"annuaire-fraicheur-{owner.pk}-{today:%Y-%m}"
        if OutboxMessage.objects.filter(dedupe_key=key).exists():
            continue
        enqueue(
            channel=MessageChannel.EMAIL,
            to=owner.email,
            subject="Annuaire : des services à mettre à jour",
            body=(
                f"Bonjour, {owner.stale} service(s) de l'offre de {owner.name} n'ont pas été mis à jour "
                "depuis plus de six mois. Les accompagnateur·rices qui orientent vers vous s'y fient : "
                f"vérifiez-les et importez la version à jour ici : {absolute(reverse('directory_offer'))}"
            ),
            structure=owner,
            purpose="annuaire_fraicheur",
            dedupe_key=key,
        )
        queued += 1
    return queued

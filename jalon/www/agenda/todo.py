"""Home-page "à faire": today's appointments, and past ones whose attendance is not noted yet."""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from jalon.agenda.models import Appointment, Outcome
from jalon.www.home.todo import TodoItem, provider


@provider
def appointments(membership, user):
    if not membership.can("people.edit"):
        return []
    now = timezone.now()
    today = datetime.combine(
        timezone.localdate(), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    counts = (
        Appointment.objects.for_structure(membership.structure)
        .filter(organiser=user, cancelled_at__isnull=True)
        .aggregate(
            today=Count(
                "pk", filter=Q(starts_at__gte=today, starts_at__lt=today + timedelta(days=1)), distinct=True
            ),
            # Within the last 30 days: older forgotten ones belong to the agenda, not to the day's list.
            to_note=Count(
                "pk",
                filter=Q(
                    starts_at__lt=now,
                    starts_at__gte=now - timedelta(days=30),
                    participants__outcome=Outcome.PENDING,
                ),
                distinct=True,
            ),
        )
    )
    items = []
    if counts["today"]:
        items.append(TodoItem("rendez-vous aujourd'hui", counts["today"], False, reverse("agenda")))
    if counts["to_note"]:
        items.append(
            TodoItem(
                "rendez-vous passés dont la présence n'est pas notée",
                counts["to_note"],
                False,
                reverse("agenda") + f"?semaine={(now - timedelta(days=7)).date().isoformat()}",
                "warning",
            )
        )
    return items

"""Home-page "à faire": today's appointments, and past ones whose attendance is not noted yet."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from jalon.agenda.models import Appointment, Outcome
from jalon.www.home.todo import Counted, provider


@provider
def appointments(membership, user):
    if not membership.can("people.edit"):
        return []
    now = timezone.now()
    today = datetime.combine(
        timezone.localdate(), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    mine = Appointment.objects.for_structure(membership.structure).filter(
        organiser=user, cancelled_at__isnull=True
    )
    return [
        Counted(
            "rendez-vous aujourd'hui",
            mine.filter(starts_at__gte=today, starts_at__lt=today + timedelta(days=1)),
            reverse("agenda"),
            cap=None,
        ),
        Counted(
            "rendez-vous passés dont la présence n'est pas notée",
            # Within the last 30 days: older forgotten ones belong to the agenda, not to the day's list.
            mine.filter(
                starts_at__lt=now,
                starts_at__gte=now - timedelta(days=30),
                participants__outcome=Outcome.PENDING,
            ).distinct(),
            reverse("agenda") + f"?semaine={(now - timedelta(days=7)).date().isoformat()}",
            "warning",
            cap=None,
        ),
    ]

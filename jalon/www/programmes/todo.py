"""Home-page "à faire": roll calls not taken yet, for the people who lead the sessions."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from jalon.programmes.models import SEATED, Attendance, Enrolment, Slot
from jalon.www.home.todo import TodoItem, provider


@provider
def roll_calls(membership, user):
    """Slots started in the last 14 days, with people seated and no attendance noted: those of
    the sessions the user leads, or all the structure's for who runs the programmes."""
    if not membership.can("attendance.take"):
        return []
    now = timezone.now()
    slots = Slot.objects.filter(
        session__stage__programme__owners=membership.structure,
        starts_at__lte=now,
        starts_at__gte=now - timedelta(days=14),
    )
    if not membership.can("programmes.manage"):
        slots = slots.filter(session__trainers__user=user)
    seated = Enrolment.objects.filter(session_id=OuterRef("session_id"), status__in=SEATED)
    noted = Attendance.objects.filter(slot_id=OuterRef("pk"))
    due = list(
        slots.filter(Exists(seated), ~Exists(noted))
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:100]
    )
    if not due:
        return []
    label = "appel à faire" if len(due) == 1 else "appels à faire (le plus ancien d'abord)"
    return [TodoItem(label, len(due), len(due) == 100, reverse("slot_roll_call", args=[due[0]]), "warning")]

"""Home-page "à faire": roll calls not taken yet, for the people who lead the sessions."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from jalon.programmes.models import SEATED, Attendance, Enrolment, Slot
from jalon.www.home.todo import TodoItem, provider

# Past this many slots in the window (a national programme's coordinator), one query does it all.
CANDIDATES = 1000


@provider
def roll_calls(membership, user):
    """Slots started in the last 14 days, with people seated and no attendance noted: those of
    the sessions the user leads, or all the structure's for who runs the programmes."""
    if not membership.can("attendance.take"):
        return []
    now = timezone.now()
    slots = Slot.objects.in_programmes_of(membership.structure).filter(
        starts_at__lte=now, starts_at__gte=now - timedelta(days=14)
    )
    if not membership.can("programmes.manage"):
        slots = slots.filter(session__trainers__user=user)
    # Two steps, because PostgreSQL spent 25-50 ms *planning* the one query (eight relations
    # with the two EXISTS below) to run it in 0.3 ms: first the slots of the window (a plain
    # join, often none), then the conditions on those rows only.
    candidates = list(slots.order_by("starts_at", "pk").values_list("pk", flat=True)[:CANDIDATES])
    if not candidates:
        return []
    if len(candidates) < CANDIDATES:
        slots = Slot.objects.filter(pk__in=candidates)
    # Someone still called on the slot's day (not a person who left before it, see expected_on).
    called = Enrolment.objects.filter(session_id=OuterRef("session_id"), status__in=SEATED).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("day"))
    )
    noted = Attendance.objects.filter(slot_id=OuterRef("pk"))
    due = list(
        slots.annotate(day=TruncDate("starts_at"))
        .filter(Exists(called), ~Exists(noted))
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:100]
    )
    if not due:
        return []
    label = "appel à faire" if len(due) == 1 else "appels à faire (le plus ancien d'abord)"
    return [TodoItem(label, len(due), len(due) == 100, reverse("slot_roll_call", args=[due[0]]), "warning")]

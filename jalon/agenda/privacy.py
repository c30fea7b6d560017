"""What the agenda keeps about a person, for retention and erasure (jalon.people.retention)."""

from django.db.models import Max, OuterRef, Subquery

from jalon.people.erasure import ANONYMOUS_NAME
from jalon.people.retention import Holder, register_holder

from .models import Participant


def anonymise(person) -> None:
    # The outcome stays (no-show rate, delay to first appointment); the copy of the contact goes.
    Participant.objects.filter(person=person).update(
        first_name=ANONYMOUS_NAME, last_name="", phone="", email=""
    )


def last_contact():
    # A past or booked appointment: a file with an appointment to come is alive.
    latest = (
        Participant.objects.filter(person=OuterRef("pk"))
        .exclude(appointment__cancelled_at__isnull=False)
        .order_by()
        .values("person")
        .annotate(m=Max("appointment__starts_at"))
        .values("m")[:1]
    )
    return [Subquery(latest)]


register_holder(Holder(name="agenda", anonymise=anonymise, last_contact=last_contact))

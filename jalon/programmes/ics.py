"""iCalendar file for a programme session: one event per slot (half-day)."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Session


def session_ics(session: Session) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Jalon//Parcours//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "jalon"
    for slot in session.slots.order_by("starts_at"):
        event = Event()
        event.add("uid", f"parcours-{session.pk}-{slot.pk}@{host}")
        event.add("dtstamp", timezone.now().astimezone(UTC))
        event.add("dtstart", slot.starts_at.astimezone(UTC))
        event.add("dtend", slot.ends_at.astimezone(UTC))
        event.add("summary", f"{slot.title or session.name} — {session.stage.programme.name}")
        where = session.place or session.remote_url
        if where:
            event["location"] = vText(where)
        calendar.add_component(event)
    return calendar.to_ical()

"""iCalendar (RFC 5545) files for invitations, built with the icalendar library."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Appointment


def appointment_ics(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Jalon//Rendez-vous//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "jalon"
    event.add("uid", f"{appointment.uid}@{host}")
    event.add("sequence", appointment.version)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("summary", f"{appointment.title} — {appointment.structure.name}")
    where = appointment.where
    if where:
        event["location"] = vText(where)
    phone = appointment.structure.phone_display
    description = f"Pour changer ou annuler ce rendez-vous, appelez {phone or appointment.structure.name}."
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled or appointment.is_cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()

"""Writes of the agenda: rota, appointments, invitations with an .ics file, J-2 reminders, outcomes.

Every write is atomic and leaves its audit event; messages go through the outbox with a dedupe
key, so a job run twice sends one message and a failing provider is retried, never lost.

One module per section (rota, appointments, messages, self-booking); every name is imported
here, and so are the reads the writes rely on (now in jalon.agenda.selectors), so
`from jalon.agenda import actions; actions.free_slots(...)` works as before.
"""

from ..selectors import (
    BOOKING_HORIZON_DAYS,
    BOOKING_NOTICE,
    Slot,
    free_slots,
    parse_slot,
    participations_of,
    places_for,
    rota_for,
    upcoming_for,
)
from .appointments import (
    NOT_YET,
    PAST_DATE,
    TOLD_FIELDS,
    UNCHANGED,
    add_participant,
    cancel_appointment,
    file_id,
    record_outcome,
    record_past_appointment,
    record_reads,
    schedule,
    update_appointment,
)
from .booking import (
    book_from_link,
    booking_subject,
    send_booking_link,
)
from .messages import (
    REMIND_BEFORE,
    SUBJECTS,
    contact_channels,
    message_text,
    send_message,
    send_reminders,
)
from .rota import (
    add_permanence,
    create_place,
    end_permanence,
    partner_ids,
)

__all__ = [
    "BOOKING_HORIZON_DAYS",
    "BOOKING_NOTICE",
    "Slot",
    "free_slots",
    "parse_slot",
    "participations_of",
    "places_for",
    "rota_for",
    "upcoming_for",
    "create_place",
    "partner_ids",
    "add_permanence",
    "end_permanence",
    "file_id",
    "record_reads",
    "PAST_DATE",
    "NOT_YET",
    "schedule",
    "record_past_appointment",
    "add_participant",
    "record_outcome",
    "cancel_appointment",
    "UNCHANGED",
    "TOLD_FIELDS",
    "update_appointment",
    "REMIND_BEFORE",
    "contact_channels",
    "SUBJECTS",
    "message_text",
    "send_message",
    "send_reminders",
    "booking_subject",
    "book_from_link",
    "send_booking_link",
]

"""The self-booking link: a person (or a referral not yet welcomed) picks a free slot, no account.

The token carries the structure and who books, signed and timestamped: valid 14 days, it shows
only the structure's own bookable slots and, once booked, the appointment and its .ics file.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse

from jalon.links import LinkError, absolute, sign_payload, unsign_payload  # noqa: F401 (re-exported)

BOOKING_SALT = "jalon.agenda.self-booking"
BOOKING_VALIDITY = timedelta(days=14)


@dataclass
class Booker:
    structure_id: int
    person_id: int | None
    referral_id: int | None


def booking_token(*, structure, person=None, referral=None) -> str:
    payload = {"s": structure.pk, "p": person.pk if person else None, "r": referral.pk if referral else None}
    return sign_payload(BOOKING_SALT, payload)


def booking_url(**kwargs) -> str:
    return absolute(reverse("public_booking", kwargs={"token": booking_token(**kwargs)}))


def resolve_booking(token: str) -> Booker:
    data = unsign_payload(BOOKING_SALT, token, BOOKING_VALIDITY, ("s",))
    return Booker(structure_id=data["s"], person_id=data.get("p"), referral_id=data.get("r"))

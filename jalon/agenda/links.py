"""The self-booking link: a person (or a referral not yet welcomed) picks a free slot, no account.

The token carries the structure and who books, signed and timestamped: valid 14 days, it shows
only the structure's own bookable slots and, once booked, the appointment and its .ics file.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.urls import reverse

from jalon.links import LinkError, absolute, sign_payload, unsign_payload  # noqa: F401 (re-exported)

BOOKING_SALT = "jalon.agenda.self-booking"
BOOKING_VALIDITY = timedelta(days=14)


@dataclass
class Booker:
    structure_id: int
    person_id: int | None
    referral_id: int | None
    # When the link was given: a consent the person withdraws afterwards revokes it.
    issued_at: datetime | None = None


def booking_token(*, structure, person=None, referral=None) -> str:
    payload = {"s": structure.pk, "p": person.pk if person else None, "r": referral.pk if referral else None}
    return sign_payload(BOOKING_SALT, payload)


def booking_url(**kwargs) -> str:
    return absolute(reverse("public_booking", kwargs={"token": booking_token(**kwargs)}))


def resolve_booking(token: str) -> Booker:
    data = unsign_payload(BOOKING_SALT, token, BOOKING_VALIDITY, ("s",))
    # The signer's own timestamp (payload:timestamp:signature), checked by the unsign above.
    issued = datetime.fromtimestamp(signing.b62_decode(token.rsplit(":", 2)[-2]), tz=UTC)
    return Booker(
        structure_id=data["s"], person_id=data.get("p"), referral_id=data.get("r"), issued_at=issued
    )

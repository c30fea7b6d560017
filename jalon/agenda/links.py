"""The self-booking link: a person (or a referral not yet welcomed) picks a free slot, no account.

The token carries the structure and who books, signed and timestamped: valid 14 days, it shows
only the structure's own bookable slots and, once booked, the appointment and its .ics file.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.urls import reverse

from jalon.referrals.links import LinkError, absolute

BOOKING_SALT = "jalon.agenda.self-booking"
BOOKING_VALIDITY = timedelta(days=14)


@dataclass
class Booker:
    structure_id: int
    person_id: int | None
    referral_id: int | None


def booking_token(*, structure, person=None, referral=None) -> str:
    payload = {"s": structure.pk, "p": person.pk if person else None, "r": referral.pk if referral else None}
    return signing.TimestampSigner(salt=BOOKING_SALT).sign_object(payload, compress=True)


def booking_url(**kwargs) -> str:
    return absolute(reverse("public_booking", kwargs={"token": booking_token(**kwargs)}))


def resolve_booking(token: str) -> Booker:
    try:
        data = signing.TimestampSigner(salt=BOOKING_SALT).unsign_object(token, max_age=BOOKING_VALIDITY)
    except signing.SignatureExpired as exc:
        raise LinkError("expire") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise LinkError("altere") from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise LinkError("altere")
    return Booker(structure_id=data["s"], person_id=data.get("p"), referral_id=data.get("r"))

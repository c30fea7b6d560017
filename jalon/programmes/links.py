"""Links without an account: a peer facilitator's roll call, a person's registration from an invitation.

Signed and timestamped like the booking link. The roll-call link names the session and the peer;
it works while that person is still a trainer of the session. The registration link names the
invitation; it works until the session starts.
"""

from datetime import timedelta

from django.urls import reverse

from jalon.links import absolute, sign_payload, unsign_payload

ROLL_CALL_SALT = "jalon.programmes.roll-call"
ROLL_CALL_VALIDITY = timedelta(days=180)
REGISTRATION_SALT = "jalon.programmes.registration"
REGISTRATION_VALIDITY = timedelta(days=60)


def roll_call_url(*, session, peer) -> str:
    token = sign_payload(ROLL_CALL_SALT, {"s": session.pk, "p": peer.pk})
    return absolute(reverse("peer_roll_call", kwargs={"token": token}))


def resolve_roll_call(token: str) -> tuple[int, int]:
    data = unsign_payload(ROLL_CALL_SALT, token, ROLL_CALL_VALIDITY, ("s", "p"))
    return data["s"], data["p"]


def registration_url(invitation) -> str:
    token = sign_payload(REGISTRATION_SALT, {"i": invitation.pk})
    return absolute(reverse("programme_registration", kwargs={"token": token}))


def resolve_registration(token: str) -> int:
    return unsign_payload(REGISTRATION_SALT, token, REGISTRATION_VALIDITY, ("i",))["i"]

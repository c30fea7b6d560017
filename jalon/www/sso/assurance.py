"""How strongly a ProConnect sign-in proved who the person is (its ``acr``), and what Jalon's
second-factor rule makes of it.

ProConnect's levels follow eIDAS: ``eidas1`` is one factor (a password at the identity
provider); ``eidas2`` and ``eidas3`` are two factors or more. A session signed in (or last
re-identified) through ProConnect at eidas2 or eidas3 already has its second factor: Jalon does
not force its own enrolment on it. With eidas1 the person is treated like a password user.
"""

# What the session keeps of a ProConnect sign-in: {"id_token": …, "acr": …}.
SESSION_KEY = "proconnect"
MULTI_FACTOR_ACR = frozenset({"eidas2", "eidas3"})


def is_multi_factor(acr: str | None) -> bool:
    return (acr or "").strip() in MULTI_FACTOR_ACR


def session_is_multi_factor(session) -> bool:
    data = session.get(SESSION_KEY) if session is not None else None
    return bool(data) and is_multi_factor(data.get("acr"))

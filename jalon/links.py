"""Signed public links, shared by every app that gives one out (referral forms, orientation
answers, booking links, peer roll calls, programme registrations): a random key or a few ids,
signed with the site's secret, and the plain page each refusal gets.

A changed character is "altéré", a revoked key or a closed object is "révoqué" or "déjà traité",
an old link is "expiré"; none of the pages tells whether another key exists.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing


class LinkError(Exception):
    """Why a public link was refused: 'altere', 'revoque', 'expire' or 'traite'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def sign_payload(salt: str, payload: dict) -> str:
    """A compact, signed and timestamped token carrying a small dict of ids."""
    return signing.TimestampSigner(salt=salt).sign_object(payload, compress=True)


def unsign_payload(salt: str, token: str, max_age, keys: tuple) -> dict:
    """The dict back, or LinkError: 'expire' when too old, 'altere' when changed or malformed.
    `keys` must be present as integers."""
    try:
        data = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkError("expire") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise LinkError("altere") from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in keys):
        raise LinkError("altere")
    return data


@dataclass
class LinkRefusal:
    title: str
    message: str


REFUSALS = {
    "altere": LinkRefusal(
        "Ce lien n'est pas valide",
        "Le lien a été modifié ou recopié avec une erreur. Ouvrez le lien reçu tel quel, "
        "ou demandez-en un nouveau à la structure.",
    ),
    "revoque": LinkRefusal(
        "Ce lien n'est plus actif",
        "La structure a remplacé ou désactivé ce lien. Demandez-lui le nouveau lien ou la nouvelle affiche.",
    ),
    "expire": LinkRefusal(
        "Ce lien a expiré",
        "Pour protéger les informations de la personne, ce lien n'est valable que 8 jours. "
        "La structure qui a orienté la personne peut vous en envoyer un nouveau.",
    ),
    "traite": LinkRefusal(
        "Cette orientation a déjà reçu une réponse",
        "Merci : une réponse a déjà été enregistrée. Contactez la structure pour la modifier.",
    ),
}

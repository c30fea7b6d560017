"""Public links: a referrer's referral link and an orientation's answer link.

Both carry a random key signed with the site's secret: a changed character is "altéré", a revoked
key or a closed orientation is "révoqué" or "déjà traité", an old answer link is "expiré". Each
refusal has its own plain page; none tells whether another key exists.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Orientation, OrientationStatus, Referrer

REFERRER_SALT = "jalon.referrals.referrer-link"
# Posters hang in public places: their token opens only the "je veux être rappelé·e" form,
# never the referrer's own form or the follow-up of what the referrer sent.
SELF_REFERRAL_SALT = "jalon.referrals.self-referral-link"
ORIENTATION_SALT = "jalon.referrals.orientation-answer"


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


def referrer_token(referrer: Referrer, *, self_referral: bool = False) -> str:
    salt = SELF_REFERRAL_SALT if self_referral else REFERRER_SALT
    return signing.Signer(salt=salt).sign(referrer.link_key)


def referral_url(referrer: Referrer, *, self_referral: bool = False) -> str:
    name = "public_self_referral" if self_referral else "public_referral"
    return absolute(reverse(name, kwargs={"token": referrer_token(referrer, self_referral=self_referral)}))


def follow_up_url(referrer: Referrer) -> str:
    return absolute(reverse("public_referral_follow_up", kwargs={"token": referrer_token(referrer)}))


def resolve_referrer(token: str, *, self_referral: bool = False) -> Referrer:
    salt = SELF_REFERRAL_SALT if self_referral else REFERRER_SALT
    try:
        key = signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature as exc:
        raise LinkError("altere") from exc
    referrer = Referrer.objects.select_related("structure").filter(link_key=key).first()
    if referrer is None or not referrer.link_is_live:
        # A regenerated key leaves the old, correctly signed one without a referrer: revoked.
        raise LinkError("revoque")
    return referrer


def orientation_token(orientation: Orientation) -> str:
    return signing.TimestampSigner(salt=ORIENTATION_SALT).sign(orientation.answer_key)


def orientation_answer_url(orientation: Orientation) -> str:
    return absolute(reverse("public_orientation_answer", kwargs={"token": orientation_token(orientation)}))


def resolve_orientation(token: str) -> Orientation:
    signer = signing.TimestampSigner(salt=ORIENTATION_SALT)
    try:
        key = signer.unsign(token, max_age=Orientation.ANSWER_VALIDITY)
    except signing.SignatureExpired as exc:
        raise LinkError("expire") from exc
    except signing.BadSignature as exc:
        raise LinkError("altere") from exc
    orientation = (
        Orientation.objects.select_related("person", "from_structure", "target_structure", "from_user")
        .filter(answer_key=key)
        .first()
    )
    if orientation is None:
        raise LinkError("revoque")
    if orientation.status != OrientationStatus.PROPOSED:
        raise LinkError("traite")
    return orientation


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

"""Public links: a referrer's referral link and an orientation's answer link.

Both carry a random key signed with the site's secret: a changed character is "altéré", a revoked
key or a closed orientation is "révoqué" or "déjà traité", an old answer link is "expiré". Each
refusal has its own plain page; none tells whether another key exists.
"""

from django.core import signing
from django.urls import reverse

from jalon.links import REFUSALS, LinkError, absolute  # noqa: F401 (REFUSALS: re-exported for the refusal pages)

from .models import Orientation, OrientationStatus, Referrer

REFERRER_SALT = "jalon.referrals.referrer-link"
# Posters hang in public places: their token opens only the "je veux être rappelé·e" form,
# never the referrer's own form or the follow-up of what the referrer sent.
SELF_REFERRAL_SALT = "jalon.referrals.self-referral-link"
ORIENTATION_SALT = "jalon.referrals.orientation-answer"


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

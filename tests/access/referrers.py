"""Access-matrix entries for the referrer screens (merged by tests/test_access_matrix.py)."""

from jalon.referrals import actions
from jalon.referrals.models import ProspectionEntry, Referrer, ReferrerKind

from .core import MISSING, OBJECT_SITUATIONS, Rule, Target


def referrer_target(personas, situation, actor):
    if situation == "missing":
        return Target({"object": MISSING})
    structure, worker = (
        (personas.structure_a, personas.case_worker_a.user)
        if situation == "own"
        else (personas.structure_b, personas.case_worker_b.user)
    )
    referrer = actions.create_referrer(
        structure=structure, actor=worker, data={"name": "Bar des sports", "kind": ReferrerKind.CAFE}
    )
    return Target({"object": referrer.pk})


FAMILIES = {"referrer": (referrer_target, OBJECT_SITUATIONS)}
REGISTRY = {
    "referrer_detail": Rule("referrer", ["get"], ("people.view",)),
    "referrer_poster_pdf": Rule("referrer", ["get"], ("people.view",)),
    "referrer_poster_png": Rule("referrer", ["get"], ("people.view",)),
    "api:get_referrer": Rule("referrer", ["get"], ("people.view",)),
    "api:patch_referrer": Rule(
        "referrer", ["patch"], ("people.view", "people.edit"), writes=True, body={"name": "Fuite"}
    ),
    "referrer_edit": Rule(
        "referrer", ["get", "post"], ("people.edit",), writes=True, body={"name": "Fuite", "kind": "commerce"}
    ),
    "referrer_prospection": Rule(
        "referrer",
        ["post"],
        ("people.edit",),
        writes=True,
        body={"kind": "visite", "happened_on": "2026-11-02"},
    ),
    "referrer_link": Rule(
        "referrer",
        ["get", "post"],
        ("people.edit",),
        writes=True,
        body={"action": "remplacer", "confirme": "oui"},
    ),
}
PARAMS = {"referrer_id": "object"}
NOT_TENANT = {
    "public_referral": "public link carrying a signed random key; tested in tests/referrals/test_public.py",
    "public_self_referral": "public link carrying a signed random key; tested in tests/referrals/test_public.py",
    "public_referral_follow_up": "public link carrying a signed random key; tested in tests/referrals/test_public.py",
}
FINGERPRINTS = [
    # Every referrer's editable state: a new random key need not change a max or a count.
    lambda: tuple(
        Referrer.objects.order_by("pk").values_list(
            "name", "kind", "is_active", "link_key", "link_revoked_at"
        )
    ),
    lambda: ProspectionEntry.objects.count(),
]

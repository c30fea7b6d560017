"""Writes of the repérage/accueil workflow. Each is atomic and leaves its audit event.

One module per section (referrers, referrals, intake and plan, orientations); every name is
imported here, so `from jalon.referrals import actions; actions.create_referral(...)` works as before.
"""

from ..selectors import known_people, referral_needs_for_intake
from .orientations import (
    answer_orientation,
    move_orientation,
    propose_orientation,
    remind_and_expire_orientations,
)
from .plan import (
    add_plan_action,
    add_plan_axis,
    add_plan_objective,
    complete_plan_action,
    record_intake,
)
from .referrals import (
    CONTACT_CONSENT_TEXT,
    SELF_CONTACT_CONSENT_TEXT,
    assign_referral,
    change_referral_status,
    clean_referral_data,
    create_referral,
    welcome_referral,
)
from .referrers import (
    REFERRER_FIELDS,
    create_referrer,
    log_prospection,
    refresh_referrer_counts,
    regenerate_link,
    revoke_link,
    update_referrer,
)

__all__ = [
    "known_people",
    "referral_needs_for_intake",
    "REFERRER_FIELDS",
    "create_referrer",
    "update_referrer",
    "regenerate_link",
    "revoke_link",
    "log_prospection",
    "refresh_referrer_counts",
    "CONTACT_CONSENT_TEXT",
    "SELF_CONTACT_CONSENT_TEXT",
    "clean_referral_data",
    "create_referral",
    "change_referral_status",
    "assign_referral",
    "welcome_referral",
    "record_intake",
    "add_plan_axis",
    "add_plan_objective",
    "add_plan_action",
    "complete_plan_action",
    "propose_orientation",
    "answer_orientation",
    "move_orientation",
    "remind_and_expire_orientations",
]

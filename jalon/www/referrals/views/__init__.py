"""Inbox and triage of referrals, intake, action plan and orientations (sent and received).

One module per section of the area; urls.py reads every view from here.
"""

from .inbox import (
    referral_assign,
    referral_create,
    referral_detail,
    referral_inbox,
    referral_status,
    referral_welcome,
)
from .orientations import (
    orientation_answer,
    orientation_cancel,
    orientation_create,
    orientation_detail,
    orientation_list,
    orientation_move,
    public_orientation_answer,
)
from .plan import (
    person_intake,
    person_intake_add,
    person_plan,
    person_plan_add,
    plan_action_done,
    plan_actions_mine,
)

__all__ = [
    "referral_inbox",
    "referral_create",
    "referral_detail",
    "referral_status",
    "referral_assign",
    "referral_welcome",
    "person_intake",
    "person_intake_add",
    "person_plan",
    "person_plan_add",
    "plan_actions_mine",
    "plan_action_done",
    "orientation_create",
    "orientation_list",
    "orientation_detail",
    "orientation_answer",
    "orientation_cancel",
    "orientation_move",
    "public_orientation_answer",
]

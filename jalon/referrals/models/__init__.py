"""Repérage and accueil: referrers, referrals, intake, action plan, orientations.

A referral is the minute-long message a referrer (or the person themself) sends; it becomes a
person file when the person is welcomed. Orientations send a person on to a programme, a partner
structure or a service, and the receiving side answers in Jalon or through a signed link.

One module per group of models; every name is imported here, so the app label, the migrations
(which cite jalon.referrals.models.new_key) and `from jalon.referrals.models import …` are unchanged.
"""

from .orientations import (
    OPEN_ORIENTATION,
    ORIENTATION_TRANSITIONS,
    Orientation,
    OrientationQuerySet,
    OrientationStatus,
    OrientationTarget,
    RefusalReason,
)
from .plan import (
    Intake,
    IntakeNeed,
    IntakeNeedQuerySet,
    PersonRecordQuerySet,
    PlanAction,
    PlanAxis,
    PlanObjective,
    PlanObjectiveQuerySet,
    Priority,
)
from .referrals import (
    ACCOMPANIED,
    OPEN_STATUSES,
    PHONE_LIKE,
    REACHED,
    REFERRAL_TRANSITIONS,
    ClosedReason,
    Need,
    Referral,
    ReferralEvent,
    ReferralEventQuerySet,
    ReferralQuerySet,
    ReferralSource,
    ReferralStatus,
    national_digits,
)
from .referrers import (
    ProspectionEntry,
    ProspectionEntryQuerySet,
    ProspectionKind,
    Referrer,
    ReferrerKind,
    ReferrerQuerySet,
    new_key,
)
from .rollups import (
    ReferralDelayMonth,
    ReferralDirtyMonth,
    ReferralMonth,
)

__all__ = [
    "new_key",
    "ReferrerKind",
    "ReferrerQuerySet",
    "Referrer",
    "ProspectionKind",
    "ProspectionEntryQuerySet",
    "ProspectionEntry",
    "Need",
    "ReferralStatus",
    "REFERRAL_TRANSITIONS",
    "OPEN_STATUSES",
    "REACHED",
    "ACCOMPANIED",
    "ClosedReason",
    "ReferralSource",
    "PHONE_LIKE",
    "national_digits",
    "ReferralQuerySet",
    "Referral",
    "ReferralEventQuerySet",
    "ReferralEvent",
    "PersonRecordQuerySet",
    "IntakeNeedQuerySet",
    "PlanObjectiveQuerySet",
    "Priority",
    "Intake",
    "IntakeNeed",
    "PlanAxis",
    "PlanObjective",
    "PlanAction",
    "OrientationTarget",
    "OrientationStatus",
    "ORIENTATION_TRANSITIONS",
    "OPEN_ORIENTATION",
    "RefusalReason",
    "OrientationQuerySet",
    "Orientation",
    "ReferralMonth",
    "ReferralDelayMonth",
    "ReferralDirtyMonth",
]

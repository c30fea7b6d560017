"""What changes programmes: designing them, enrolling, attendance, progression and exits.

Enrolment rules: capacity is never exceeded, the waiting list promotes in order. Both hold when
two staff members enrol at the same moment: every change locks the session row first
(SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), then counts.

Every change that moves a figure of the funnel marks its day dirty (DirtyDay) in the same
transaction, and queues a rebuild of those days (jalon.programmes.rollup) when it commits.
"""

from .attendance import take_attendance
from .common import mark_dirty, owns
from .designer import (
    TRAINER_CHOICE,
    add_rule,
    add_stage,
    add_trainer,
    copy_programme,
    create_programme,
    move_stage,
    schedule_session,
)
from .enrolment import cancel, enrol
from .invitations import REMIND_BEFORE, SUBJECTS, invite, send_reminders, session_text
from .progression import finish, mark_peer, record_diagnostic, record_exit
from .teams import assign_team, split_teams

__all__ = [
    "REMIND_BEFORE",
    "SUBJECTS",
    "TRAINER_CHOICE",
    "add_rule",
    "add_stage",
    "add_trainer",
    "assign_team",
    "cancel",
    "copy_programme",
    "create_programme",
    "enrol",
    "finish",
    "invite",
    "mark_dirty",
    "mark_peer",
    "move_stage",
    "owns",
    "record_diagnostic",
    "record_exit",
    "schedule_session",
    "send_reminders",
    "session_text",
    "split_teams",
    "take_attendance",
]

"""Programmes: the designer, sessions and enrolments, the roll call, pathways and the funnel.

A programme is visible to the structures that run it. In a co-run programme each structure
enrols its own people; the others see them as "Prénom N." in lists and roll calls (what running
a session together needs) and never open their file.
"""

from .dashboard import funnel_rows, programme_dashboard
from .designer import (
    programme_copy,
    programme_detail,
    programme_list,
    session_create,
    stage_add,
    stage_move,
    stage_proposals,
    stage_rule_add,
)
from .pathway import person_pathway, person_pathway_record
from .registration import programme_registration
from .roll_call import peer_roll_call, slot_roll_call
from .sessions import (
    enrolment_cancel,
    enrolment_finish,
    session_detail,
    session_enrol,
    session_invite,
    session_sheet,
    session_teams,
    session_trainer_add,
)

__all__ = [
    "enrolment_cancel",
    "enrolment_finish",
    "funnel_rows",
    "peer_roll_call",
    "person_pathway",
    "person_pathway_record",
    "programme_copy",
    "programme_dashboard",
    "programme_detail",
    "programme_list",
    "programme_registration",
    "session_create",
    "session_detail",
    "session_enrol",
    "session_invite",
    "session_sheet",
    "session_teams",
    "session_trainer_add",
    "slot_roll_call",
    "stage_add",
    "stage_move",
    "stage_proposals",
    "stage_rule_add",
]

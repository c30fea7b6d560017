from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


@db_periodic_task(crontab(minute="15", hour="*"))
def orientations_follow_up_task() -> dict:
    # Hourly rather than daily so a stopped consumer catches up the same day; idempotent.
    return actions.remind_and_expire_orientations()

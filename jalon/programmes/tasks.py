from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions, rollup


@db_periodic_task(crontab(minute="*/10"))
def rollup_task() -> int:
    # Every ten minutes: the dashboard's figures are at most that old, and say so.
    return rollup.refresh()


@db_periodic_task(crontab(minute="5", hour="9"))
def session_reminders_task() -> int:
    # Each morning: the people enrolled in a session starting in two days (J-2), once each.
    return actions.send_reminders()

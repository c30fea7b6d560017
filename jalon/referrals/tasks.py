from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import actions, rollup


@db_periodic_task(crontab(minute="15", hour="*"))
def orientations_follow_up_task() -> dict:
    # Hourly rather than daily so a stopped consumer catches up the same day; idempotent.
    return actions.remind_and_expire_orientations()


@db_task()
def indicators_rollup_now() -> int:
    # Queued on commit by each change: the marked months are rebuilt within seconds.
    return rollup.refresh()


@db_periodic_task(crontab(minute="*/10"))
def indicators_rollup_task() -> int:
    # Safety net: a mark whose job was lost (consumer stopped) is rebuilt within ten minutes;
    # until then the indicators read that month directly, so figures are never stale.
    return rollup.refresh()

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import freshness


@db_periodic_task(crontab(minute="40", hour="7"))
def freshness_reminders_task() -> int:
    # Daily; each owner gets at most one reminder a month (dedupe key per owner and month).
    return freshness.remind_owners()

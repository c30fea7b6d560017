from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from . import actions, rollup

# Set while a refresh waits in the queue: commits in the meantime queue no other (see queue_refresh).
QUEUED = "programmes-rollup-queued"


def queue_refresh() -> None:
    """Called on commit by every action that marks a day dirty (actions.mark_dirty): a refresh
    runs within moments. At most one waits in the queue, however many commits arrive."""
    if HUEY.put_if_empty(QUEUED, "1"):
        rollup_soon_task()


@db_task()
def rollup_soon_task() -> int:
    # Cleared before the refresh reads: a change committed from now on queues the next run, and
    # one committed before is read by this one.
    HUEY.delete(QUEUED)
    return rollup.refresh()


@db_periodic_task(crontab(minute="*/10"))
def rollup_task() -> int:
    # Every ten minutes, the safety net: days whose queued refresh was lost (a queue emptied, a
    # worker stopped) are rebuilt, and a mark left by a lost job no longer holds the next ones back.
    HUEY.delete(QUEUED)
    return rollup.refresh()


@db_periodic_task(crontab(minute="5", hour="9"))
def session_reminders_task() -> int:
    # Each morning: the people enrolled in a session starting in two days (J-2), once each.
    return actions.send_reminders()

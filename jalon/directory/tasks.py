from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import freshness


@db_periodic_task(crontab(minute="40", hour="7"))
def freshness_reminders_task() -> int:
    # Daily; each owner gets at most one reminder a month (dedupe key per owner and month).
    return freshness.remind_owners()


@db_periodic_task(crontab(minute="17"))
def abandoned_imports_task() -> int:
    # Hourly: an upload whose job was lost would otherwise show "En attente" forever.
    from .actions import end_abandoned_imports

    return end_abandoned_imports()


@db_task()
def import_task(run_id: int) -> None:
    # An upload of the offer screen (actions.start_import): a large file would time out a page.
    from .actions import run_import

    run_import(run_id=run_id)

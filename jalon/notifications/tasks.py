from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import actions


@db_task()
def deliver_task(message_id: int) -> str:
    return actions.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_task() -> int:
    return actions.deliver_due()

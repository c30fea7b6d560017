from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


@db_periodic_task(crontab(minute="20", hour="*"))
def appointment_reminders_task() -> dict:
    # Hourly: each appointment is reminded about 48 hours ahead, once (idempotent).
    return actions.send_reminders()

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import retention


@db_periodic_task(crontab(minute="40", hour="3"))
def retention_task() -> dict:
    # Daily, at night; idempotent (a notice is sent once, an anonymised file is skipped), so a run
    # missed or repeated changes nothing. Returns counts only: no names in the job's result.
    report = retention.run()
    return {rule: sum(counts.values()) for rule, counts in report.items()}

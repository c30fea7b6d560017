from huey import crontab
from huey.contrib.djhuey import periodic_task

from . import health


@periodic_task(crontab(minute="*"))
def heartbeat_task() -> None:
    # Its age (now minus the last run) is the queue's lag, seen by /readyz and the metrics.
    health.record_heartbeat()

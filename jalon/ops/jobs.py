"""A job consumer that waits quietly while Redis or the database is unreachable.

Huey's own consumer logs a full traceback on every failed poll (each worker with a growing delay,
the scheduler every second): with Redis down that was thousands of lines a minute. Here each
unreachable resource is an Outage: polls back off (1 s, 2 s, 4 s… up to JOBS_BACKOFF_MAX), one
warning without traceback is written when it starts and then at most once a minute, and one line
when it is reachable again. Jobs are not lost: a job taken from the queue while the database is
down waits in the worker until the database answers.
"""

import logging
import threading
import time

from huey import RedisHuey as _RedisHuey
from huey import SqliteHuey as _SqliteHuey
from huey.consumer import Consumer, Scheduler, Worker

from .resilience import QueueDownMixin

logger = logging.getLogger("huey.consumer")


class Outage:
    """Backoff and rate-limited warnings for one resource (shared by the consumer's threads)."""

    def __init__(
        self, name: str, *, first_delay=1.0, max_delay=30.0, warn_every=60.0, clock=time.monotonic, log=None
    ):
        self.name = name
        self.log = log or logger
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.warn_every = warn_every
        self.clock = clock
        self.lock = threading.Lock()
        self.since: float | None = None
        self.last_warning: float | None = None
        self.delay = first_delay
        self.failures = 0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> float:
        """Note a failure; return how long to wait before the next try."""
        with self.lock:
            now = self.clock()
            if self.since is None:
                self.since, self.delay, self.failures = now, self.first_delay, 0
            self.failures += 1
            if self.last_warning is None or now - self.last_warning >= self.warn_every:
                self.last_warning = now
                # The exception's type only: its message can quote a host, a DSN or a value.
                self.log.warning(
                    "%s unreachable for %ds (%s, %d failed tries); next try in %.0fs",
                    self.name,
                    now - self.since,
                    type(exc).__name__,
                    self.failures,
                    self.delay,
                )
            delay = self.delay
            self.delay = min(self.delay * 2, self.max_delay)
            return delay

    def recovered(self) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is None:
                return
            self.log.warning("%s reachable again after %ds", self.name, self.clock() - self.since)
            self.since, self.last_warning, self.delay, self.failures = None, None, self.first_delay, 0


def database_reachable() -> None:
    """Raise if the database cannot be reached (drops a dead connection first)."""
    from django.db import close_old_connections, connection

    close_old_connections()
    if connection.connection is not None and not connection.is_usable():
        connection.close()
    connection.ensure_connection()


class QuietWorker(Worker):
    queue: Outage
    database: Outage

    def loop(self, now=None):
        try:
            task = self.huey.dequeue()
        except Exception as exc:  # noqa: BLE001 — any storage failure is an outage of the queue
            self.stop_flag.wait(self.queue.failed(exc))
            return
        self.queue.recovered()
        if task is None:
            if not self.huey.storage.blocking:
                self.sleep()
            return
        self.delay = self.default_delay
        if not self._wait_for_database():
            # Stopping while the database is down: give the job back rather than lose it.
            try:
                self.huey.enqueue(task)
            except Exception:  # noqa: BLE001
                logger.error("job %s could not be put back in the queue", task.id)
            return
        self.task_count += 1
        try:
            self.huey.execute(task, now)
        except Exception:
            logger.exception("Unhandled error during execution of task %s.", task.id)
        if self.max_tasks and self.task_count >= self.max_tasks:
            from huey.consumer import WorkerRecycle

            raise WorkerRecycle()

    def _wait_for_database(self) -> bool:
        while True:
            try:
                database_reachable()
            except Exception as exc:  # noqa: BLE001
                if self.stop_flag.wait(self.database.failed(exc)):
                    return False
                continue
            self.database.recovered()
            return True


class QuietScheduler(Scheduler):
    queue: Outage

    def loop(self, now=None):
        # Huey's Scheduler.loop, with the schedule read guarded by the queue's outage.
        current = self._next_loop
        self._next_loop += self.interval
        if self._next_loop < time.monotonic():
            self._next_loop = time.monotonic()
            return
        try:
            task_list = self.huey.read_schedule(now)
        except Exception as exc:  # noqa: BLE001
            self.stop_flag.wait(self.queue.failed(exc))
            self._next_loop = time.monotonic()
            return
        self.queue.recovered()
        for task in task_list:
            try:
                self.huey.enqueue(task)
            except Exception as exc:  # noqa: BLE001
                # Huey loses it too (the schedule already gave it up); say which one.
                logger.error("scheduled job %s could not be queued (%s)", task.id, type(exc).__name__)
        if self.periodic and self._next_periodic <= time.monotonic():
            while self._next_periodic <= time.monotonic():
                self._next_periodic += self.periodic_task_seconds
            self.enqueue_periodic_tasks(now)
        self.sleep_for_interval(current, self.interval)


class QuietConsumer(Consumer):
    worker_class = QuietWorker
    scheduler_class = QuietScheduler

    def __init__(self, huey, **options):
        from django.conf import settings

        backoff = {
            "max_delay": float(getattr(settings, "JOBS_BACKOFF_MAX", 30.0)),
            "warn_every": float(getattr(settings, "JOBS_WARN_EVERY", 60.0)),
        }
        self.queue_outage = Outage("job queue", **backoff)
        self.database_outage = Outage("database", **backoff)
        super().__init__(huey, **options)

    def _create_worker(self):
        worker = super()._create_worker()
        worker.queue, worker.database = self.queue_outage, self.database_outage
        return worker

    def _create_scheduler(self):
        scheduler = super()._create_scheduler()
        scheduler.queue = self.queue_outage
        return scheduler


class QuietConsumerMixin:
    def create_consumer(self, **options):
        return QuietConsumer(self, **options)


class RedisHuey(QuietConsumerMixin, QueueDownMixin, _RedisHuey):
    pass


class SqliteHuey(QuietConsumerMixin, QueueDownMixin, _SqliteHuey):
    pass

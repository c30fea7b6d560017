"""Web processes that keep working while Redis is down.

Redis holds the shared cache (rate limits, allauth's login throttle) and the job queue. When it
is unreachable:

- the cache falls back to this process's memory (rate limits then count per process, as in the
  embedded demo) and Redis is tried again after a growing pause (1 s, 2 s… up to
  JOBS_BACKOFF_MAX), so a page never waits on a dead server at each cache call;
- a job that cannot be queued after a commit is logged and dropped: every job has a periodic
  safety net (the outbox's deliver_due, the roll-ups every ten minutes) that does its work once
  the consumer reaches Redis again, while the committed write answers success;
- pages show a short notice (components/degraded.html) so people know why e-mails or figures
  lag.

Sessions live in the database, not in Redis: logins are not lost.
"""

import logging
import sqlite3
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

# Failures of the queue's storage (Redis for RedisHuey, the SQLite file for SqliteHuey).
QUEUE_ERRORS = (RedisError, sqlite3.Error, OSError)


def _settings_backoff() -> dict:
    from django.conf import settings

    return {
        "max_delay": float(getattr(settings, "JOBS_BACKOFF_MAX", 30.0)),
        "warn_every": float(getattr(settings, "JOBS_WARN_EVERY", 60.0)),
    }


class _State:
    """One per process: the cache's and the queue's outages, shared by every thread."""

    def __init__(self):
        self.cache = None  # jalon.ops.jobs.Outage, made on the first failure
        self.queue = None
        self.cache_retry_at = 0.0

    def outage(self, name: str):
        from .jobs import Outage  # jobs imports this module for its Huey classes

        current = getattr(self, name)
        if current is None:
            label = {"cache": "redis cache (web)", "queue": "job queue (web)"}[name]
            current = Outage(label, log=logging.getLogger("jalon.ops.resilience"), **_settings_backoff())
            setattr(self, name, current)
        return current

    def degraded(self) -> bool:
        return bool((self.cache and self.cache.down) or (self.queue and self.queue.down))

    def reset(self) -> None:
        self.__init__()


state = _State()


def degraded(request) -> dict:
    """Context processor: the notice on every page while Redis is unreachable from this process."""
    return {"jalon_degraded": state.degraded()}


def queue_failed(exc: BaseException) -> None:
    state.outage("queue").failed(exc)


def queue_recovered() -> None:
    if state.queue is not None and state.queue.down:
        state.queue.recovered()


class QueueDownMixin:
    """For Huey: a job that cannot be queued is dropped with a warning, never an exception.

    It runs in Django's on_commit callbacks: an exception there would answer 500 for a write
    already committed. Huey's immediate mode (tests) runs jobs inline and is left alone.
    """

    def enqueue(self, task):
        if self.immediate:
            return super().enqueue(task)
        try:
            result = super().enqueue(task)
        except QUEUE_ERRORS as exc:
            queue_failed(exc)
            return None
        queue_recovered()
        return result

    def put_if_empty(self, key, value):
        try:
            return super().put_if_empty(key, value)
        except QUEUE_ERRORS as exc:
            queue_failed(exc)
            return False


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, falling back to a per-process memory cache while Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._server, self._params = server, params
        self._fallback = LocMemCache("jalon-redis-fallback", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._strict = None

    @property
    def strict(self) -> RedisCache:
        """The same Redis without the fallback: for /readyz, which must see the outage."""
        if self._strict is None:
            self._strict = RedisCache(self._server, self._params)
        return self._strict


def _degradable(name: str):
    redis_method = getattr(RedisCache, name)
    memory_method = getattr(LocMemCache, name)

    def method(self, *args, **kwargs):
        if state.cache is not None and state.cache.down and time.monotonic() < state.cache_retry_at:
            return memory_method(self._fallback, *args, **kwargs)
        try:
            result = redis_method(self, *args, **kwargs)
        except RedisError as exc:
            delay = state.outage("cache").failed(exc)
            state.cache_retry_at = time.monotonic() + delay
            return memory_method(self._fallback, *args, **kwargs)
        if state.cache is not None and state.cache.down:
            state.cache.recovered()
        return result

    method.__name__ = name
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(ResilientRedisCache, _name, _degradable(_name))

"""Readiness checks: may this web process take traffic? Each check names a state, never data."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OK, ERROR, LATE, UNKNOWN = "ok", "erreur", "retard", "inconnu"

HEARTBEAT_KEY = "jalon:ops:heartbeat"

# Once every migration is applied it stays so for this process's code: no need to read the
# migration files again on every probe.
_migrations_ok = False


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK}


def check_cache() -> dict:
    key = f"jalon:ops:ready:{uuid.uuid4().hex}"
    # Past the per-process fallback of jalon.ops.resilience: the probe must see Redis itself.
    shared = getattr(cache, "strict", cache)
    shared.set(key, "1", timeout=10)
    found = shared.get(key) == "1"
    shared.delete(key)
    return {"status": OK if found else ERROR}


def _huey():
    from huey.contrib.djhuey import HUEY

    return HUEY


def jobs_pending() -> int:
    return _huey().storage.queue_size()


def heartbeat_age() -> float | None:
    """Seconds since the consumer last ran the heartbeat job (queue lag, plus up to a minute)."""
    value = _huey().get(HEARTBEAT_KEY, peek=True)
    if value is None:
        return None
    return max(0.0, time.time() - float(value))


def record_heartbeat() -> None:
    _huey().put(HEARTBEAT_KEY, time.time())


def check_jobs() -> dict:
    return {"status": OK, "pending": jobs_pending()}


def check_jobs_lag() -> dict:
    age = heartbeat_age()
    if age is None:
        return {"status": UNKNOWN}
    return {"status": LATE if age > settings.JOBS_MAX_LAG_SECONDS else OK, "seconds": round(age)}


def check_migrations() -> dict:
    global _migrations_ok
    if not _migrations_ok:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return {"status": ERROR, "unapplied": len(plan)}
        _migrations_ok = True
    return {"status": OK}


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "jobs": check_jobs,
    "jobs_lag": check_jobs_lag,
    "migrations": check_migrations,
}


def readiness() -> tuple[bool, dict]:
    """Run every check; only an "erreur" makes the process not ready.

    A late job queue is reported but does not fail readiness: taking every web machine out of the
    balancer because background jobs are slow would turn a delay into an outage.
    """
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # noqa: BLE001 — any failure means "not ready"; no message (may hold data)
            results[name] = {"status": ERROR}
    ready = all(result["status"] != ERROR for result in results.values())
    return ready, results

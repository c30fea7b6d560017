"""Prometheus metrics: django-prometheus's request and database metrics plus Jalon's own gauges.

The gauges are computed at scrape time (one GROUP BY on the outbox, one queue size, one key read),
so they cost nothing between scrapes and are the same whichever web process answers.
"""

import os

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from . import health


class JalonCollector:
    def describe(self):
        # Declared names would make the registry call collect() (database queries) at import.
        return []

    def collect(self):
        from django.db.models import Count

        from jalon.notifications.models import MessageStatus, OutboxMessage

        try:
            counts = dict(OutboxMessage.objects.order_by().values_list("status").annotate(n=Count("id")))
        except Exception:  # noqa: BLE001 — a scrape must not fail because the database is down
            counts = None
        if counts is not None:
            outbox = GaugeMetricFamily(
                "jalon_outbox_messages", "Messages in the outbox, by status.", labels=["status"]
            )
            for status in MessageStatus.values:
                outbox.add_metric([status], counts.get(status, 0))
            yield outbox
        try:
            pending = health.jobs_pending()
        except Exception:  # noqa: BLE001
            pending = None
        if pending is not None:
            yield GaugeMetricFamily("jalon_jobs_pending", "Jobs waiting in the queue.", value=pending)
        try:
            age = health.heartbeat_age()
        except Exception:  # noqa: BLE001
            age = None
        if age is not None:
            yield GaugeMetricFamily(
                "jalon_jobs_heartbeat_age_seconds",
                "Seconds since the job consumer last ran the minute heartbeat (queue lag + up to 60 s).",
                value=age,
            )


_collector = JalonCollector()
REGISTRY.register(_collector)


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: add up every worker's files (prometheus_client multiprocess mode).
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_collector)
        return generate_latest(registry)
    return generate_latest(REGISTRY)

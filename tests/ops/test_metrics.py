"""Prometheus metrics: hidden without the bearer token, request/database/outbox/job metrics present."""

from django.test import Client

from jalon.notifications.models import MessageChannel, MessageStatus, OutboxMessage

TOKEN = "jeton-de-test-metriques-0123456789"


def test_metrics_do_not_exist_without_a_configured_token(db, settings):
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_metrics_need_the_right_bearer_token(db, settings):
    settings.METRICS_TOKEN = TOKEN
    client = Client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer mauvais-jeton").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404


def test_metrics_expose_requests_database_outbox_and_jobs(db, settings, django_assert_max_num_queries):
    settings.METRICS_TOKEN = TOKEN
    OutboxMessage.objects.create(channel=MessageChannel.EMAIL, to="x@example.org", body="-")
    OutboxMessage.objects.create(
        channel=MessageChannel.SMS, to="+33600000000", body="-", status=MessageStatus.FAILED
    )
    client = Client()
    client.get("/readyz")  # one request through a view and the database
    with django_assert_max_num_queries(1):
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="readyz"}' in text
    assert "django_db_execute_total{" in text
    assert 'jalon_outbox_messages{status="queued"} 1.0' in text
    assert 'jalon_outbox_messages{status="failed"} 1.0' in text
    assert "jalon_jobs_pending " in text
    # Counts only: no address from the outbox.
    assert "x@example.org" not in text and "+33600000000" not in text

"""Log lines: request id on each line of a request, JSON on demand, personal data masked."""

import io
import json
import logging

import pytest
from django.test import Client

from jalon.ops import logs


@pytest.fixture
def console():
    """The configured console handler (LOGGING), writing to a buffer for the test."""
    handler = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_a_request_id_is_made_returned_and_logged(db, console):
    response = Client().get("/page-qui-n-existe-pas/")
    request_id = response["X-Request-ID"]
    assert logs.REQUEST_ID_RE.match(request_id)
    lines = [line for line in console.getvalue().splitlines() if "Not Found" in line]
    assert len(lines) == 1  # once, not twice
    assert f"[{request_id}]" in lines[0]


def test_a_well_formed_incoming_request_id_is_kept(db, console):
    given = "3f2b8c1e-5d4a-4b7e-9c0f-123456789abc"
    response = Client().get("/page-qui-n-existe-pas/", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == given
    assert f"[{given}]" in console.getvalue()


@pytest.mark.parametrize("given", ["court", "a b c d e f g h", "x" * 200, "<script>alert(1)</script>"])
def test_a_malformed_incoming_request_id_is_replaced(db, given):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert logs.REQUEST_ID_RE.match(response["X-Request-ID"])


def test_huey_and_django_loggers_print_once():
    from django.conf import settings

    # run_huey adds its own handler only to a "huey" logger without one; with one configured here
    # and no propagation to the root's, each consumer line is printed once.
    for name in ("huey", "django"):
        assert settings.LOGGING["loggers"][name]["propagate"] is False
        assert logging.getLogger(name).handlers
    assert not any(type(h).__name__ == "AdminEmailHandler" for h in logging.getLogger("django").handlers), (
        "Django's direct SMTP mail_admins must not be used"
    )


def record(message: str, *args, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("jalon.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_email_and_phone_are_masked_in_messages_and_tracebacks():
    formatter = logs.PlainFormatter(logs.PLAIN_FORMAT)
    try:
        raise ValueError("Key (email)=(camille.martin@example.org) already exists")
    except ValueError as error:
        line_record = record("appel au %s", "06 12 34 56 78", exc=error)
    logs.RequestIdFilter().filter(line_record)
    text = formatter.format(line_record)
    assert "camille.martin@example.org" not in text and "06 12 34 56 78" not in text
    assert "[e-mail]" in text and "[téléphone]" in text
    assert logs.redact("+33612345678 et 0612345678") == "[téléphone] et [téléphone]"
    # Ids, dates and times stay readable.
    assert logs.redact("personne 1234, 2026-12-03 11:12:04") == "personne 1234, 2026-12-03 11:12:04"


def test_json_lines_carry_the_request_id():
    formatter = logs.JsonLineFormatter(
        logs.JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}
    )
    token = logs.request_id_var.set("abcdef0123456789")
    try:
        line_record = record("envoi à %s", "lea@example.org")
        logs.RequestIdFilter().filter(line_record)
        line = formatter.format(line_record)
    finally:
        logs.request_id_var.reset(token)
    assert "\n" not in line
    data = json.loads(line)
    assert data["request_id"] == "abcdef0123456789"
    assert data["level"] == "ERROR" and data["logger"] == "jalon.test"
    assert data["message"] == "envoi à [e-mail]"


def test_log_format_json_selects_the_json_formatter():
    config = logs.logging_config(level="INFO", json=True, error_mail=False)
    assert config["handlers"]["console"]["formatter"] == "json"
    assert "outbox_errors" not in config["handlers"]
    quiet = logs.logging_config(level="INFO", json=False, error_mail=True, jobs_level="WARNING")
    assert quiet["loggers"]["huey"]["level"] == "WARNING"
    assert "outbox_errors" in quiet["loggers"]["django"]["handlers"]


def test_pdf_progress_lines_stay_out_of_the_logs():
    # Every PDF export made WeasyPrint print its INFO steps; its warnings still show.
    import logging.config

    logging.config.dictConfig(logs.logging_config(level="INFO", json=False, error_mail=False))
    try:
        assert not logging.getLogger("weasyprint").isEnabledFor(logging.INFO)
        assert logging.getLogger("weasyprint").isEnabledFor(logging.WARNING)
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)

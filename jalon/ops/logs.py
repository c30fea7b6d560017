"""Log lines: one per event, a request id on each, personal data masked, JSON on demand."""

import contextvars
import logging
import re
import uuid

from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("jalon_request_id", default="-")

# A caller's id is kept only if it looks like an id (uuid, hex, ulid…): nothing to inject in logs.
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$")

# Last line of defence for messages and tracebacks we do not write ourselves (database errors
# quote the offending value): e-mail addresses and phone numbers are masked.
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w.:-])(?:\+\d{1,3}[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?![\w:-])")


def redact(text: str) -> str:
    return PHONE_RE.sub("[téléphone]", EMAIL_RE.sub("[e-mail]", text))


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdMiddleware:
    """First middleware: every log line of the request carries its id, and so does the response."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.header, "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[self.header] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a request's 4xx/5xx after the middlewares returned, with the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line (python-json-logger), masked like the plain lines."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def logging_config(*, level: str, json: bool, error_mail: bool, jobs_level: str = "") -> dict:
    """The LOGGING dict. Each logger is printed once: by the root handler only.

    Huey's run_huey adds its own handler to the "huey" logger when it has none, and Django's
    default config gives "django" a console handler of its own; either one plus the root handler
    printed every line twice. Here "huey" and "django" get the console handler and stop there.
    """
    handlers = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if json else "plain",
            "filters": ["request_id"],
        },
    }
    error_handlers = []
    if error_mail:
        handlers["outbox_errors"] = {"class": "jalon.ops.errors.OutboxErrorHandler", "level": "ERROR"}
        error_handlers = ["outbox_errors"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "jalon.ops.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"()": "jalon.ops.logs.PlainFormatter", "format": PLAIN_FORMAT},
            "json": {
                "()": "jalon.ops.logs.JsonLineFormatter",
                "format": JSON_FIELDS,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": handlers,
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Replaces Django's defaults: its own console handler (DEBUG) and its direct SMTP
            # mail_admins handler, which would mail request bodies from the request itself.
            "django": {"handlers": ["console", *error_handlers], "level": level, "propagate": False},
            "django.server": {"handlers": ["console"], "level": level, "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            # WeasyPrint logs each PDF's progress at INFO ("Step 1 - Fetching…"): noise in every
            # export; its warnings (a missing font or image) still show.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # run_huey's --quiet/--verbose only set up a logger that has no handler: the level is here.
            "huey": {
                "handlers": ["console", *error_handlers],
                "level": jobs_level or level,
                "propagate": False,
            },
        },
    }

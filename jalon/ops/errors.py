"""Error reporting without personal data: Sentry when SENTRY_DSN is set, else e-mail to ADMINS
through the outbox (sent by the job consumer, never by SMTP from the failing request)."""

import hashlib
import logging
import threading
import time
import traceback
from pathlib import Path

from .logs import current_request_id, redact

ERROR_WINDOW_SECONDS = 600
PACKAGE_DIR = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Sentry


REMOVED = "[retiré]"
# Request headers worth keeping: nothing that identifies the person (no cookie, IP, referer).
SAFE_HEADERS = {"content-type", "x-request-id", "accept", "host"}


def _scrub_frames(container: dict | None) -> None:
    for frame in ((container or {}).get("stacktrace") or {}).get("frames") or []:
        frame.pop("vars", None)


def before_send(event: dict, hint: dict | None = None) -> dict:
    """Keep what locates the error (type, code frames, URL path, request id), drop what the
    person typed or is: bodies, query strings, cookies, user, local variables, messages."""
    request = event.get("request")
    if request:
        url = request.get("url") or ""
        event["request"] = {
            "method": request.get("method"),
            "url": url.split("?", 1)[0],
            "headers": {k: v for k, v in (request.get("headers") or {}).items() if k.lower() in SAFE_HEADERS},
        }
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if user.get("id") else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        # The message may quote a value (a name in an f-string, a database DETAIL line).
        exception["value"] = REMOVED
        _scrub_frames(exception)
    for thread in (event.get("threads") or {}).get("values") or []:
        _scrub_frames(thread)
    logentry = event.get("logentry")
    if logentry:
        event["logentry"] = {"message": redact(str(logentry.get("message", "")))}
    event.pop("extra", None)
    event.pop("breadcrumbs", None)
    event.pop("server_name", None)
    event.setdefault("tags", {})["request_id"] = current_request_id()
    return event


def init_sentry(dsn: str, *, environment: str = "", release: str = "", transport=None):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    options = {}
    if transport is not None:
        options["transport"] = transport
    return sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        traces_sample_rate=0,
        before_send=before_send,
        integrations=[DjangoIntegration(), LoggingIntegration(level=None, event_level=logging.ERROR)],
        **options,
    )


# ---------------------------------------------------------------------------------------------
# E-mail to ADMINS through the outbox


def _where(filename: str, lineno: int | None, function: str) -> str:
    path = Path(filename)
    try:
        name = path.relative_to(PACKAGE_DIR.parent)
    except ValueError:
        name = path.name
    return f"{name}:{lineno} {function}"


def signature(record: logging.LogRecord) -> tuple[str, str]:
    """What makes two errors "the same": exception type and the project frames it went through.
    Returns (digest, readable summary without values)."""
    if record.exc_info and record.exc_info[0] is not None:
        kind = record.exc_info[0].__name__
        frames = traceback.extract_tb(record.exc_info[2])
        own = [f for f in frames if f.filename.startswith(str(PACKAGE_DIR))] or frames[-1:]
        where = [_where(f.filename, f.lineno, f.name) for f in own[-5:]]
    else:
        kind = "message"
        where = [_where(record.pathname, record.lineno, record.funcName)]
    summary = "\n".join([f"{kind} ({record.name})", *where])
    return hashlib.sha256(summary.encode()).hexdigest()[:24], summary


class OutboxErrorHandler(logging.Handler):
    """An ERROR log record becomes one outbox e-mail per admin, at most one per signature and
    10 minutes. The message holds the exception type, code locations, the URL path and the
    request id: no exception message, no variables, no request body."""

    _local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._local, "busy", False):
            return  # an error while queueing the report: do not report the report
        self._local.busy = True
        try:
            self._queue(record)
        except Exception:  # noqa: BLE001 — reporting must never break the request or loop
            pass
        finally:
            self._local.busy = False

    def _queue(self, record: logging.LogRecord) -> None:
        from django.conf import settings
        from django.core.cache import cache

        admins = [email for _name, email in settings.ADMINS]
        if not admins:
            return
        digest, summary = signature(record)
        window = int(time.time() // ERROR_WINDOW_SECONDS)
        # The cache spares a database write per repeat; the dedupe key holds across processes.
        if not cache.add(f"jalon:ops:error:{digest}", 1, ERROR_WINDOW_SECONDS):
            return
        from jalon.notifications.actions import enqueue
        from jalon.notifications.models import MessageChannel

        request = getattr(record, "request", None)
        path = getattr(request, "path", "") if request is not None else ""
        body = "\n".join(
            [
                "Une erreur est survenue sur Jalon.",
                "",
                summary,
                "",
                f"Adresse : {path or '-'}",
                f"Identifiant de requête : {getattr(record, 'request_id', None) or current_request_id()}",
                "",
                "Les erreurs identiques ne sont signalées qu'une fois par période de 10 minutes.",
            ]
        )
        subject = f"[Jalon] Erreur {summary.splitlines()[0]}"[:200]
        for email in admins:
            enqueue(
                channel=MessageChannel.EMAIL,
                to=email,
                subject=subject,
                body=body,
                purpose="error_report",
                dedupe_key=f"error:{digest}:{window}:{hashlib.sha256(email.encode()).hexdigest()[:12]}",
            )

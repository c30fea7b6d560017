"""Error reports: Sentry events without personal data; without Sentry, one outbox e-mail to the
admins per error signature and 10 minutes, never a direct SMTP send from the request."""

import pytest
import sentry_sdk
from django.core import mail
from sentry_sdk.transport import Transport

from jalon.notifications.models import OutboxMessage
from jalon.ops.errors import init_sentry

NOTE = "Suivi psychiatrique en cours, ne pas evoquer la dette"
EMAIL = "camille.fournier@example.org"


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.payloads: list[bytes] = []

    def capture_envelope(self, envelope):
        self.payloads.append(envelope.serialize())


@pytest.fixture
def sentry():
    transport = CapturingTransport()
    init_sentry("https://cle@sentry.example/1", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


@pytest.fixture
def person(person_a):
    person_a.first_name, person_a.last_name = "Camille", "Fournier-Zaoui"
    person_a.phone, person_a.email = "+33611223344", EMAIL
    person_a.save()
    return person_a


def failing_edit(personas, person, monkeypatch):
    """POST to the person's edit page, which fails while handling the person's file."""
    from jalon.www.people import views

    def broken_form(*args, **kwargs):
        note_text = NOTE  # a local variable holding a note, as a real bug's frame would
        raise RuntimeError(f"échec pour {person.first_name} {person.last_name} {person.phone} {note_text}")

    monkeypatch.setattr(views, "PersonForm", broken_form)
    client = personas.client_for(personas.case_worker_a)
    client.raise_request_exception = False
    client.cookies["suivi"] = EMAIL
    failing_edit.session_key = client.cookies["sessionid"].value
    return client.post(
        f"/personnes/{person.pk}/modifier/?email={EMAIL}&tel=0611223344",
        {"first_name": person.first_name, "last_name": person.last_name, "phone": person.phone, "note": NOTE},
    )


def test_sentry_event_holds_no_personal_data(sentry, personas, person, monkeypatch):
    response = failing_edit(personas, person, monkeypatch)
    assert response.status_code == 500
    sentry_sdk.flush()
    assert sentry.payloads, "the error reached Sentry"
    payload = b"".join(sentry.payloads).decode("utf-8", "replace")
    # Where it broke stays: the exception type, the route and the code frame.
    assert "RuntimeError" in payload and "/personnes/{pk}/modifier/" in payload
    assert "jalon/www/people/views.py" in payload
    for secret in (
        "Camille",
        "Fournier-Zaoui",
        "+33611223344",
        "0611223344",
        "33611223344",
        EMAIL,
        "camille.fournier",
        "psychiatrique",
        personas.case_worker_a.user.email,
    ):
        assert secret not in payload, secret
    assert failing_edit.session_key not in payload


def test_error_without_sentry_queues_one_outbox_mail_per_signature(personas, person, monkeypatch, settings):
    settings.ADMINS = [("tech@jalon.example", "tech@jalon.example")]
    for _ in range(3):
        assert failing_edit(personas, person, monkeypatch).status_code == 500
    reports = OutboxMessage.objects.filter(purpose="error_report")
    assert reports.count() == 1  # the same error three times: one report in the window
    report = reports.get()
    assert report.to == "tech@jalon.example"
    assert "RuntimeError" in report.subject
    assert f"/personnes/{person.pk}/modifier/" in report.body
    assert "jalon/www/people/views.py" in report.body
    for secret in ("Camille", "Fournier-Zaoui", "+33611223344", "0611223344", EMAIL, "psychiatrique"):
        assert secret not in report.subject + report.body, secret
    # Nothing was sent by SMTP from the request itself: the consumer delivers the outbox.
    assert mail.outbox == []


def test_a_different_error_gets_its_own_report(personas, person, monkeypatch, settings):
    settings.ADMINS = [("tech@jalon.example", "tech@jalon.example")]
    failing_edit(personas, person, monkeypatch)
    from jalon.www.people import views

    def other(*args, **kwargs):
        raise KeyError("autre")

    monkeypatch.setattr(views, "render", other)
    client = personas.client_for(personas.case_worker_a)
    client.raise_request_exception = False
    assert client.get(f"/personnes/{person.pk}/").status_code == 500
    assert OutboxMessage.objects.filter(purpose="error_report").count() == 2


def test_no_admins_no_report(personas, person, monkeypatch, settings):
    settings.ADMINS = []
    failing_edit(personas, person, monkeypatch)
    assert not OutboxMessage.objects.filter(purpose="error_report").exists()


def test_before_send_strips_what_a_wsgi_request_carries():
    """Under gunicorn the event carries the whole request (the test client fills less of it)."""
    from jalon.ops.errors import before_send

    event = {
        "request": {
            "method": "POST",
            "url": f"https://jalon.example/personnes/4/modifier/?email={EMAIL}",
            "query_string": f"email={EMAIL}",
            "data": {"first_name": "Camille", "note": NOTE},
            "cookies": {"sessionid": "abc", "suivi": EMAIL},
            "headers": {"Cookie": "sessionid=abc", "Referer": f"https://x/?q={EMAIL}", "X-Request-Id": "r1"},
            "env": {"REMOTE_ADDR": "198.51.100.4"},
        },
        "user": {"id": "7", "email": "cip.a@example.org", "ip_address": "198.51.100.4"},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": f"Key (email)=({EMAIL}) already exists",
                    "stacktrace": {
                        "frames": [{"filename": "jalon/people/actions.py", "vars": {"note": NOTE}}]
                    },
                }
            ]
        },
        "threads": {"values": [{"stacktrace": {"frames": [{"vars": {"phone": "+33611223344"}}]}}]},
        "logentry": {"message": f"échec pour {EMAIL}", "params": ["Camille"], "formatted": "Camille"},
        "breadcrumbs": {"values": [{"message": "SELECT … Camille"}]},
        "extra": {"person": "Camille"},
        "server_name": "web-1",
    }
    cleaned = before_send(event, {})
    text = repr(cleaned)
    for secret in (EMAIL, "Camille", NOTE, "+33611223344", "198.51.100.4", "sessionid", "cip.a@example.org"):
        assert secret not in text, secret
    assert cleaned["request"]["url"] == "https://jalon.example/personnes/4/modifier/"
    assert cleaned["request"]["method"] == "POST"
    assert cleaned["user"] == {"id": "7"}
    assert cleaned["exception"]["values"][0]["type"] == "IntegrityError"

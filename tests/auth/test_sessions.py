"""Sessions: idle timeout, absolute lifetime, and every session closed when the password changes."""

import re
import time

import pytest
from django.core import mail
from django.test import Client

from jalon.users.models import ApiToken
from jalon.www.account import sessions

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

IDLE = 30 * 60
MAX = 10 * 3600


def shift(client, **ago):
    """Pretend the login or the last request happened `ago` seconds back."""
    session = client.session
    now = time.time()
    if "login" in ago:
        session[sessions.LOGIN_AT] = now - ago["login"]
    if "seen" in ago:
        session[sessions.SEEN_AT] = now - ago["seen"]
    session.save()


def test_defaults_are_thirty_minutes_idle_and_ten_hours_in_all(settings):
    assert settings.JALON_SESSION_IDLE_SECONDS == IDLE
    assert settings.JALON_SESSION_MAX_SECONDS == MAX
    assert settings.SESSION_COOKIE_AGE == MAX


def test_login_stamps_the_session(personas):
    client = personas.client_for(personas.case_worker_a)
    assert time.time() - client.session[sessions.LOGIN_AT] < 5
    assert time.time() - client.session[sessions.SEEN_AT] < 5


def test_idle_session_is_closed_with_a_french_message(personas):
    client = personas.client_for(personas.case_worker_a)
    shift(client, seen=IDLE + 5)
    response = client.get("/personnes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/?next=%2Fpersonnes%2F")
    login_page = client.get(response["Location"]).content.decode()
    assert "déconnecté·e après 30 minutes sans activité" in login_page
    assert client.get("/").status_code == 302  # really logged out


def test_activity_keeps_the_session_open(personas):
    client = personas.client_for(personas.case_worker_a)
    shift(client, seen=IDLE - 60)
    assert client.get("/personnes/").status_code == 200
    assert time.time() - client.session[sessions.SEEN_AT] < 5


def test_absolute_lifetime_is_not_extended_by_activity(personas):
    client = personas.client_for(personas.case_worker_a)
    shift(client, login=MAX + 5, seen=10)
    response = client.get("/")
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    assert "maximum" in client.get(response["Location"]).content.decode()


def test_htmx_request_of_an_expired_session_reloads_the_page(personas):
    client = personas.client_for(personas.case_worker_a)
    shift(client, seen=IDLE + 5)
    response = client.get("/personnes/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/comptes/login/")


def test_status_does_not_extend_and_keepalive_does(personas):
    client = personas.client_for(personas.case_worker_a)
    shift(client, seen=IDLE - 100)
    before = client.session[sessions.SEEN_AT]
    status = client.get("/compte/session/")
    assert status.status_code == 200 and 90 <= status.json()["remaining"] <= 100
    assert client.session[sessions.SEEN_AT] == before
    assert client.get("/compte/session/prolonger/").status_code == 405
    kept = client.post("/compte/session/prolonger/")
    assert kept.status_code == 200 and kept.json()["remaining"] > IDLE - 10
    assert client.get("/compte/session/").json()["remaining"] > IDLE - 10


def test_pages_carry_the_accessible_warning_dialog(personas):
    page = personas.client_for(personas.case_worker_a).get("/").content.decode()
    assert re.search(
        r'<dialog id="session-avertissement"[^>]*aria-labelledby="session-avertissement-titre"', page
    )
    assert 'data-idle="1800"' in page and "Rester connecté·e" in page and "jalon/session.js" in page
    assert "session-avertissement" not in Client().get("/comptes/login/").content.decode()


def test_api_tokens_do_not_depend_on_sessions(personas):
    _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/structures").status_code == 200
    assert "sessionid" not in api.cookies


def real_login(email: str) -> Client:
    client = Client()
    response = client.post("/comptes/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_password_change_closes_the_other_sessions(personas):
    email = personas.case_worker_a.user.email
    laptop, phone = real_login(email), real_login(email)
    assert phone.get("/").status_code == 200
    response = laptop.post(
        "/comptes/password/change/",
        {"oldpassword": PASSWORD, "password1": "un-nouveau-mot-2", "password2": "un-nouveau-mot-2"},
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200  # the session that changed it stays open
    assert phone.get("/").status_code == 302  # the other one is closed


def test_password_reset_closes_every_session_and_revokes_api_tokens(personas):
    user = personas.case_worker_a.user
    laptop, phone = real_login(user.email), real_login(user.email)
    token, raw = ApiToken.issue(user=user, name="tableur")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/structures").status_code == 200

    anonymous = Client()
    anonymous.post("/comptes/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^\s]+/comptes/password/reset/key/[^\s]+", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    form_url = anonymous.get(path)["Location"]
    done = anonymous.post(form_url, {"password1": "un-nouveau-mot-3", "password2": "un-nouveau-mot-3"})
    assert done.status_code == 302

    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert api.get("/api/v1/structures").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    from jalon.audit.models import AuditEvent

    assert AuditEvent.objects.filter(actor=user, detail__contains="jeton(s) API révoqué(s)").exists()

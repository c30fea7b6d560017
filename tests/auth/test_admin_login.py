"""The Django admin signs in through the one allauth login page, never its own form."""

import pytest
from django.test import Client, override_settings

from ..factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "motdepasse-test-1"


def test_admin_login_redirects_to_the_allauth_login():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/?next=")


def test_posting_a_password_to_the_admin_login_checks_nothing():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
    assert "_auth_user_id" not in client.session


@override_settings(ACCOUNT_RATE_LIMITS={"login": "30/m/ip", "login_failed": "10/m/ip,5/5m/key"})
def test_admin_cannot_be_brute_forced_separately():
    staff = UserFactory(is_staff=True, is_superuser=True)
    attacker = Client()
    for _ in range(5):
        attacker.post("/comptes/login/", {"login": staff.email, "password": "faux-mot"})
    # The admin form does not offer a second chance: same throttle for the same account.
    attacker.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session
    blocked = attacker.post("/comptes/login/", {"login": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in blocked.wsgi_request.session


def test_staff_reach_the_admin_after_the_allauth_login():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    response = client.post("/comptes/login/?next=/admin/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_non_staff_get_403_on_the_admin(personas):
    client = personas.client_for(personas.admin_a)
    assert client.get("/admin/login/").status_code == 403

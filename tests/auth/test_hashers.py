"""Passwords are hashed with Argon2id at OWASP's minimum; older PBKDF2 hashes upgrade at login."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.test import Client, override_settings

from jalon.users.hashers import PASSWORD_HASHERS

from ..conftest import PASSWORD

ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS)
def test_new_passwords_are_argon2id_with_19_mib_two_passes_one_lane():
    encoded = make_password("un-mot-de-passe-long")
    assert encoded.startswith(ARGON2ID)
    assert check_password("un-mot-de-passe-long", encoded) and not check_password("autre", encoded)


@override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS)
def test_a_pbkdf2_password_still_logs_in_and_is_rehashed(personas):
    user = personas.case_worker_a.user
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "sel-de-test-123", iterations=1000)
    user.save(update_fields=["password"])
    response = Client().post("/comptes/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(ARGON2ID)


@override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS)
def test_a_wrong_password_changes_nothing(personas):
    user = personas.case_worker_a.user
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "sel-de-test-123", iterations=1000)
    user.save(update_fields=["password"])
    before = user.password
    response = Client().post("/comptes/login/", {"login": user.email, "password": "pas-le-bon"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == before

"""`jalon check --deploy` refuses production settings that would leak or break silently, and a
wrong encryption key stops every start (settings import), never as a 500 on a page."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from jalon.www import checks

from .test_settings_and_health import settings_import

GOOD = {
    "DEBUG": False,
    "CACHES": {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    },
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "jalon.notifications.sms.DisabledBackend",
    "JALON_BEHIND_PROXY": False,
    "SECURE_PROXY_SSL_HEADER": None,
    "USE_X_FORWARDED_HOST": False,
}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def ids(**overrides) -> set[str]:
    with override_settings(**{**GOOD, **overrides}):
        return {error.id for error in checks.check_production_services(None)}


def test_a_complete_production_setup_passes():
    assert ids() == set()


def test_debug_profile_is_not_checked():
    assert (
        ids(DEBUG=True, CACHES=LOCMEM, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
        == set()
    )


def test_a_cache_per_process_is_refused():
    assert ids(CACHES=LOCMEM) == {"jalon.E010"}


@pytest.mark.parametrize("backend", sorted(checks.LOCAL_EMAIL_BACKENDS))
def test_a_local_email_backend_is_refused(backend):
    assert ids(EMAIL_BACKEND=backend) == {"jalon.E011"}


@pytest.mark.parametrize("backend", sorted(checks.LOCAL_SMS_BACKENDS))
def test_an_sms_backend_writing_to_logs_or_disk_is_refused(backend):
    assert ids(SMS_BACKEND=backend) == {"jalon.E012"}


@pytest.mark.parametrize(
    "backend", ["jalon.notifications.sms.Typo", "django.core.mail.backends.smtp.EmailBackend"]
)
def test_an_sms_backend_that_is_not_one_is_refused(backend):
    assert ids(SMS_BACKEND=backend) == {"jalon.E013"}


def test_behind_a_proxy_the_https_header_and_client_address_must_be_read():
    client_ip = "jalon.users.network.client_ip"
    behind = {"JALON_BEHIND_PROXY": True, "TRUSTED_PROXY_COUNT": 1}
    assert ids(**behind, RATELIMIT_IP_META_KEY=client_ip) == {"jalon.E020"}
    https = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}
    assert ids(**behind, **https, RATELIMIT_IP_META_KEY=None) == {"jalon.E021"}
    assert ids(**behind, **https, RATELIMIT_IP_META_KEY="ailleurs.client_ip") == {"jalon.E021"}
    assert ids(**https, JALON_BEHIND_PROXY=True, TRUSTED_PROXY_COUNT=0, RATELIMIT_IP_META_KEY=client_ip) == {
        "jalon.E021"
    }
    assert ids(**behind, **https, RATELIMIT_IP_META_KEY=client_ip) == set()


def test_without_a_proxy_forwarded_headers_are_not_trusted():
    assert ids(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")) == {"jalon.E022"}
    assert ids(USE_X_FORWARDED_HOST=True) == {"jalon.E023"}
    assert ids(TRUSTED_PROXY_COUNT=2) == {"jalon.E024"}


def test_encryption_keys_are_checked_without_printing_them():
    good = Fernet.generate_key().decode()
    assert checks.encryption_key_errors([good]) == []
    assert [e.id for e in checks.encryption_key_errors([])] == ["jalon.E001"]
    errors = checks.encryption_key_errors([good, "pas-une-cle"])
    assert [e.id for e in errors] == ["jalon.E002"]
    assert "n° 2" in errors[0].msg and "pas-une-cle" not in errors[0].msg


def test_check_command_fails_on_a_bad_key_even_without_deploy():
    with (
        override_settings(JALON_ENCRYPTION_KEYS=["abc"]),
        pytest.raises(SystemCheckError, match="jalon.E002"),
    ):
        call_command("check")


def test_check_deploy_command_fails_on_local_services():
    with override_settings(**{**GOOD, "CACHES": LOCMEM}), pytest.raises(SystemCheckError, match="jalon.E010"):
        call_command("check", "--deploy")


def test_a_wrong_key_stops_the_start(tmp_path):
    result = settings_import(
        {"DEBUG": "0", "SECRET_KEY": "x" * 50, "JALON_ENCRYPTION_KEYS": "abc", "JALON_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "La clé n° 1 de JALON_ENCRYPTION_KEYS n'est pas une clé Fernet valide" in result.stderr
    assert "abc" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_a_good_key_starts(tmp_path):
    key = Fernet.generate_key().decode()
    result = settings_import(
        {"DEBUG": "0", "SECRET_KEY": "x" * 50, "JALON_ENCRYPTION_KEYS": key, "JALON_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr

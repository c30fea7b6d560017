"""Test profile: the real settings with a throw-away key, jobs run inline, nothing sent."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ")
os.environ.setdefault("JALON_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWphbG9uLWVuY3J5cHRpb24ta2V5LTA=")
os.environ.setdefault("JALON_ALLOW_DEMO", "1")
os.environ.setdefault("JALON_VAR_DIR", tempfile.mkdtemp(prefix="jalon-test-"))

from .settings import *  # noqa: E402,F403
from .settings import DATABASES, HUEY, STATIC_ROOT  # noqa: E402

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "jalon.notifications.sms.LocmemBackend"
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
ACCOUNT_RATE_LIMITS = False
# Second factor: off, as in the demo; the tests of the rule turn it on.
JALON_MFA_REQUIRED = False
# Query-count tests measure pages, not the clock: on a loaded machine a run lasts more than a
# minute and the idle-session stamp would add a session write at a random page.
JALON_SESSION_TOUCH_SECONDS = 15 * 60

if "postgresql" in DATABASES["default"]["ENGINE"] and os.environ.get("JALON_TEST_ASYNC_COMMIT", "1") == "1":
    # The test database is thrown away: no need to wait for the disk at each commit (the
    # browser tests commit, then truncate every table, dozens of times per test).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

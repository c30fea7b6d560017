"""Production settings for the multi-node test, except static files: served from the sources
(the manifest storage needs a `collectstatic` run, which this test is not about)."""

from jalon.settings import *  # noqa: F403
from jalon.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True

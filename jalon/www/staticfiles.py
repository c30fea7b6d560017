"""Static files: fingerprinted names and gzip/brotli copies (WhiteNoise), in the demo as in production."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class JalonStaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage.

    Django gives plain names under DEBUG, so the demo (DEBUG=1) would serve neither the
    fingerprinted files nor their long cache. `serve-demo` builds the files, then sets
    JALON_STATIC_BUILT: from then on pages link the built files, as in production. A developer's
    plain `runserver` keeps plain names, read fresh from the source folders.
    """

    def url(self, name, force=False):
        if settings.DEBUG and getattr(settings, "JALON_STATIC_BUILT", False):
            force = True
        return super().url(name, force=force)

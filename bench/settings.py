"""Production settings, except one work-around so `collectstatic` runs (see BenchStaticStorage)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

from jalon.settings import *  # noqa: F403
from jalon.settings import STORAGES


def _without_source_maps(patterns):
    def keep(pattern):
        return "sourceMappingURL" not in (pattern if isinstance(pattern, str) else pattern[0])

    return tuple((ext, tuple(p for p in pats if keep(p))) for ext, pats in patterns)


class BenchStaticStorage(CompressedManifestStaticFilesStorage):
    """The production storage, minus source-map rewriting.

    The vendored Bootstrap files end with `sourceMappingURL=bootstrap….map`, and the .map files
    are not vendored: the manifest storage then fails `collectstatic` (MissingFileError). Until
    that is fixed in static/vendor/, the bench leaves those comments alone; every {% static %}
    still goes through the manifest like in production.
    """

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)


STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "bench.settings.BenchStaticStorage"}}

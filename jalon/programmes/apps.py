from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "jalon.programmes"
    label = "programmes"
    verbose_name = "Programmes et parcours"

    def ready(self):
        from . import privacy  # noqa: F401 — registers what programmes hold about people (retention)

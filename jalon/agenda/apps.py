from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "jalon.agenda"
    label = "agenda"
    verbose_name = "Permanences et rendez-vous"

    def ready(self):
        from . import tasks  # noqa: F401 — registers the periodic jobs with Huey

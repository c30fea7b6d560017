from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "jalon.agenda"
    label = "agenda"
    verbose_name = "Permanences et rendez-vous"

    def ready(self):
        from . import privacy, tasks  # noqa: F401 — registers the periodic jobs with Huey, and what
        # this app holds about people with the retention rules (jalon.people.retention)

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jalon.people"
    label = "people"
    verbose_name = "Personnes accompagnées"

    def ready(self):
        from . import tasks  # noqa: F401 — registers the daily retention job with Huey

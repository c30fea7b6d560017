from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "jalon.directory"
    label = "directory"
    verbose_name = "Annuaire des services"

    def ready(self):
        from . import tasks  # noqa: F401 — registers the periodic jobs with Huey

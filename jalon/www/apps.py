from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "jalon.www"
    label = "www"
    verbose_name = "Pages"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "jalon.www"
    label = "www"
    verbose_name = "Pages"

    def ready(self):
        # Session start time and second-factor journal entries (signal receivers).
        from . import checks  # noqa: F401  (registers the system checks)
        from .account import sessions  # noqa: F401

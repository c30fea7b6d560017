from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "jalon.www"
    label = "www"
    verbose_name = "Pages"

    def ready(self):
        # Session start time and second-factor journal entries (signal receivers).
        from .account import sessions  # noqa: F401

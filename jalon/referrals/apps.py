from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "jalon.referrals"
    label = "referrals"
    verbose_name = "Repérage et accueil"

    def ready(self):
        from . import tasks  # noqa: F401 — registers the periodic jobs with Huey

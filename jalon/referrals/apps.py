from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "jalon.referrals"
    label = "referrals"
    verbose_name = "Repérage et accueil"

    def ready(self):
        from . import privacy, tasks  # noqa: F401 — registers the periodic jobs with Huey, and what
        # this app holds about people with the retention rules (jalon.people.retention)

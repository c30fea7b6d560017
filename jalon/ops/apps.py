from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "jalon.ops"
    label = "ops"
    verbose_name = "Exploitation"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jalon.demo"
    label = "demo"
    verbose_name = "Démo"

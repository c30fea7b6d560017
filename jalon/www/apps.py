from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "jalon.www"
    label = "www"
    verbose_name = "Pages"

from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "jalon.programmes"
    label = "programmes"
    verbose_name = "Programmes et parcours"

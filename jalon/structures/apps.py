from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "jalon.structures"
    label = "structures"
    verbose_name = "Structures"

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jalon.people"
    label = "people"
    verbose_name = "Personnes accompagnées"

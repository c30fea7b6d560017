from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "jalon.agenda"
    label = "agenda"
    verbose_name = "Permanences et rendez-vous"

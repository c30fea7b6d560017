from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "jalon.users"
    label = "users"
    verbose_name = "Comptes"

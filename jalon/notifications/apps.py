from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "jalon.notifications"
    label = "notifications"
    verbose_name = "Messages envoyés"

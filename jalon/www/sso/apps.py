from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Sign-in with ProConnect. An app of its own so that allauth finds its provider module."""

    name = "jalon.www.sso"
    label = "sso"
    verbose_name = "ProConnect"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from .adapter import on_logged_in

        user_logged_in.connect(on_logged_in, dispatch_uid="jalon_proconnect_logged_in")

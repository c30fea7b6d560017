"""Included by allauth under /comptes/ with every provider's URLs."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns
from django.urls import path

from . import views
from .provider import ProConnectProvider

urlpatterns = [
    *default_urlpatterns(ProConnectProvider),
    path("proconnect/reidentification/", views.reauthenticate, name="proconnect_reauthenticate"),
    path("proconnect/deconnexion/", views.logout_done, name="proconnect_logout_done"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]

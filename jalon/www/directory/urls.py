from django.urls import path

from . import public, views

urlpatterns = [
    path("annuaire/", views.directory_search, name="directory_search"),
    path("annuaire/notre-offre/", views.directory_offer, name="directory_offer"),
    path("services/", public.public_services, name="public_services"),
    path("annuaire/notre-offre/export.json", views.directory_offer_export, name="directory_offer_export"),
    path(
        "annuaire/notre-offre/export.xlsx",
        views.directory_offer_export_xlsx,
        name="directory_offer_export_xlsx",
    ),
    path(
        "annuaire/notre-offre/imports/<uuid:token>/",
        views.directory_import_status,
        name="directory_import_status",
    ),
    path("personnes/<int:pk>/trouver-un-service/", views.service_finder, name="service_finder"),
]

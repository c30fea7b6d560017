from django.urls import path

from . import views

urlpatterns = [
    path("annuaire/", views.directory_search, name="directory_search"),
    path("personnes/<int:pk>/trouver-un-service/", views.service_finder, name="service_finder"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("indicateurs/", views.indicators_page, name="indicators"),
    path("indicateurs/export.csv", views.indicators_csv, name="indicators_csv"),
]

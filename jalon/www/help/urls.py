from django.urls import path

from . import views

urlpatterns = [
    path("aide/", views.help_page, name="help"),
    path("aide/<slug:slug>/", views.help_page, name="help_page"),
]

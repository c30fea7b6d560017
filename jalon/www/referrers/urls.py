from django.urls import path

from . import views

urlpatterns = [
    path("relais/", views.referrer_list, name="referrer_list"),
    path("relais/nouveau/", views.referrer_create, name="referrer_create"),
    path("relais/<int:pk>/", views.referrer_detail, name="referrer_detail"),
    path("relais/<int:pk>/prospection/", views.referrer_prospection, name="referrer_prospection"),
    path("relais/<int:pk>/modifier/", views.referrer_edit, name="referrer_edit"),
    path("relais/<int:pk>/lien/", views.referrer_link, name="referrer_link"),
    path("relais/<int:pk>/affiche.pdf", views.referrer_poster, name="referrer_poster_pdf"),
    path("relais/<int:pk>/affiche.png", views.referrer_poster_png, name="referrer_poster_png"),
]

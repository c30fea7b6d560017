from django.urls import path

from . import views

urlpatterns = [
    path("orienter/<str:token>/", views.public_referral, name="public_referral"),
    path("orienter/<str:token>/moi/", views.public_self_referral, name="public_self_referral"),
    path("orienter/<str:token>/suivi/", views.public_referral_follow_up, name="public_referral_follow_up"),
]

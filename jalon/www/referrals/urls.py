from django.urls import path

from . import views

urlpatterns = [
    path("accueil/", views.referral_inbox, name="referral_inbox"),
    path("accueil/nouvelle/", views.referral_create, name="referral_create"),
    path("accueil/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("accueil/<int:pk>/statut/", views.referral_status, name="referral_status"),
    path("accueil/<int:pk>/confier/", views.referral_assign, name="referral_assign"),
    path("accueil/<int:pk>/accueillir/", views.referral_welcome, name="referral_welcome"),
    path("personnes/<int:pk>/point-de-situation/", views.person_intake, name="person_intake"),
    path("personnes/<int:pk>/point-de-situation/nouveau/", views.person_intake_add, name="person_intake_add"),
    path("personnes/<int:pk>/plan/", views.person_plan, name="person_plan"),
    path("personnes/<int:pk>/plan/ajouter/", views.person_plan_add, name="person_plan_add"),
    path(
        "personnes/<int:pk>/plan/actions/<int:action_pk>/fait/",
        views.plan_action_done,
        name="plan_action_done",
    ),
    path("personnes/<int:pk>/orienter/", views.orientation_create, name="orientation_create"),
    path("plan/mes-actions/", views.plan_actions_mine, name="plan_actions_mine"),
    path("orientations/", views.orientation_list, name="orientation_list"),
    path("orientations/<int:pk>/", views.orientation_detail, name="orientation_detail"),
    path("orientations/<int:pk>/repondre/", views.orientation_answer, name="orientation_answer"),
    path("orientations/<int:pk>/etape/", views.orientation_move, name="orientation_move"),
    path("orientations/<int:pk>/annuler/", views.orientation_cancel, name="orientation_cancel"),
    path("reponse/<str:token>/", views.public_orientation_answer, name="public_orientation_answer"),
]

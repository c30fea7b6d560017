from django.urls import path

from . import views

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/copier/", views.programme_copy, name="programme_copy"),
    path("programmes/<int:pk>/etapes/", views.stage_add, name="stage_add"),
    path("programmes/<int:pk>/tableau-de-bord/", views.programme_dashboard, name="programme_dashboard"),
    path("programmes/etapes/<int:pk>/deplacer/", views.stage_move, name="stage_move"),
    path("programmes/etapes/<int:pk>/conditions/", views.stage_rule_add, name="stage_rule_add"),
    path("programmes/etapes/<int:pk>/sessions/nouvelle/", views.session_create, name="session_create"),
    path("programmes/etapes/<int:pk>/propositions/", views.stage_proposals, name="stage_proposals"),
    path("programmes/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path(
        "programmes/sessions/<int:pk>/personnes/<int:person_pk>/inscrire/",
        views.session_enrol,
        name="session_enrol",
    ),
    path(
        "programmes/sessions/<int:pk>/personnes/<int:person_pk>/inviter/",
        views.session_invite,
        name="session_invite",
    ),
    path("programmes/sessions/<int:pk>/equipes/", views.session_teams, name="session_teams"),
    path("programmes/sessions/<int:pk>/animateurs/", views.session_trainer_add, name="session_trainer_add"),
    path("programmes/sessions/<int:pk>/emargement.pdf", views.session_sheet, name="session_sheet"),
    path(
        "programmes/sessions/<int:pk>/inscriptions/<int:enrolment_pk>/annuler/",
        views.enrolment_cancel,
        name="enrolment_cancel",
    ),
    path(
        "programmes/sessions/<int:pk>/inscriptions/<int:enrolment_pk>/fin/",
        views.enrolment_finish,
        name="enrolment_finish",
    ),
    path("programmes/creneaux/<int:pk>/appel/", views.slot_roll_call, name="slot_roll_call"),
    path("personnes/<int:pk>/parcours/", views.person_pathway, name="person_pathway"),
    path("personnes/<int:pk>/parcours/noter/", views.person_pathway_record, name="person_pathway_record"),
    path("appel/<str:token>/", views.peer_roll_call, name="peer_roll_call"),
    path("inscription/<str:token>/", views.programme_registration, name="programme_registration"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("agenda/", views.agenda_week, name="agenda"),
    path("agenda/nouveau/", views.appointment_create, name="appointment_create"),
    path("agenda/passe/nouveau/", views.appointment_past_create, name="appointment_past_create"),
    path("agenda/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("agenda/<int:pk>/modifier/", views.appointment_edit, name="appointment_edit"),
    path(
        "agenda/<int:pk>/participants/<int:participant_pk>/presence/",
        views.appointment_outcome,
        name="appointment_outcome",
    ),
    path("agenda/<int:pk>/annuler/", views.appointment_cancel, name="appointment_cancel"),
    path("agenda/<int:pk>/rendez-vous.ics", views.appointment_ics, name="appointment_ics"),
    path("agenda/lieux/", views.place_list, name="place_list"),
    path("agenda/lieux/<int:pk>/", views.place_detail, name="place_detail"),
    path("agenda/lieux/<int:pk>/permanences/", views.place_permanence_add, name="place_permanence_add"),
    path("agenda/permanences/<int:pk>/fin/", views.permanence_end, name="permanence_end"),
    path("personnes/<int:pk>/rendez-vous/", views.person_appointments, name="person_appointments"),
    path(
        "personnes/<int:pk>/rendez-vous/<int:appointment_pk>/inscrire/",
        views.person_appointment_join,
        name="person_appointment_join",
    ),
    path("personnes/<int:pk>/rendez-vous/lien/", views.person_booking_link, name="person_booking_link"),
    path("accueil/<int:pk>/lien-rendez-vous/", views.referral_booking_link, name="referral_booking_link"),
    path("rdv/<str:token>/", views.public_booking, name="public_booking"),
    path("rdv/<str:token>/rendez-vous.ics", views.public_booking_ics, name="public_booking_ics"),
]

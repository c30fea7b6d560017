from django.conf import settings
from django.urls import include, path

from .account import profile as account_profile
from .account import views as account
from .home import views as home
from .people import erasure as people_erasure
from .people import export as people_export
from .people import views as people
from .structures import views as structures

urlpatterns = [
    path("", home.home, name="home"),
    path("personnes/", people.people_list, name="people_list"),
    path("personnes/nouvelle/", people.person_create, name="person_create"),
    path("personnes/<int:pk>/", people.person_detail, name="person_detail"),
    path("personnes/<int:pk>/modifier/", people.person_edit, name="person_edit"),
    path("personnes/<int:pk>/consentements/", people.consent_add, name="consent_add"),
    path(
        "personnes/<int:pk>/consentements/<int:consent_pk>/retrait/",
        people.consent_withdraw,
        name="consent_withdraw",
    ),
    path("personnes/<int:pk>/sensible/", people.sensitive_notes, name="person_sensitive"),
    path("personnes/<int:pk>/journal/", people.person_access_log, name="person_access_log"),
    path("personnes/<int:pk>/export/", people_export.person_export, name="person_export"),
    path("personnes/<int:pk>/effacer/", people_erasure.person_erase, name="person_erase"),
    path("communes/suggestions/", people.commune_suggestions, name="commune_suggestions"),
    path("structure/changer/", structures.switch, name="structure_switch"),
    path("structure/", structures.settings_view, name="structure_settings"),
    path("structure/partenaires/", structures.partner_add, name="structure_partner_add"),
    path("structure/membres/", structures.members, name="structure_members"),
    path("structure/membres/<int:pk>/", structures.member_edit, name="structure_member_edit"),
    path("structure/journal/", structures.audit_log, name="structure_audit"),
    path("structure/messages/", structures.outbox_view, name="structure_outbox"),
    path("structure/messages/<int:pk>/renvoyer/", structures.outbox_retry, name="structure_outbox_retry"),
    path("invitation/<str:token>/", structures.invitation_accept, name="invitation_accept"),
    path("compte/jetons/", account.api_tokens, name="api_tokens"),
    path("compte/session/", account.session_status, name="session_status"),
    path("compte/session/prolonger/", account.session_keepalive, name="session_keepalive"),
    path("compte/jetons/<int:pk>/revoquer/", account.api_token_revoke, name="api_token_revoke"),
    # Repérage and accueil: one URL module per screen area.
    path("", include("jalon.www.referrals.urls")),
    path("", include("jalon.www.referrers.urls")),
    path("", include("jalon.www.public.urls")),
    path("", include("jalon.www.agenda.urls")),
    path("", include("jalon.www.indicators.urls")),
    path("", include("jalon.www.directory.urls")),
    path("", include("jalon.www.programmes.urls")),
    # Mon compte (one page) and allauth's password change in our layout, written in the journal:
    # this path is allauth's own, matched here first so there is one way to change a password.
    path("compte/", account_profile.account, name="account"),
    path("comptes/password/change/", account_profile.password_change, name="password_change"),
    path("", include("jalon.www.help.urls")),
    path("", include("jalon.www.legal.urls")),
    path("favicon.ico", home.favicon, name="favicon"),
]

if settings.DEBUG or getattr(settings, "JALON_BENCH", False):
    urlpatterns.append(path("_bench/bare/", home.bare, name="bench_bare"))

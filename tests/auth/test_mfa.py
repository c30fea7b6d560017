"""Second factor: who must have one, enrolment forced until it exists, and what stays reachable."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from jalon.people.security import membership_requires_mfa, user_requires_mfa
from jalon.structures.models import Membership, Role

from ..factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "/comptes/2fa/totp/activate/"


@pytest.mark.parametrize(
    "role, need_to_know, expected",
    [
        (Role.ADMIN, False, True),
        (Role.COORDINATOR, False, True),
        (Role.CASE_WORKER, False, False),
        (Role.CASE_WORKER, True, True),
        (Role.TRAINER, False, False),
        (Role.TRAINER, True, True),
        (Role.READ_ONLY, False, False),
        (Role.READ_ONLY, True, True),
    ],
)
def test_rule_admins_coordinators_and_need_to_know(role, need_to_know, expected):
    membership = Membership(role=role, need_to_know=need_to_know, is_active=True)
    assert membership_requires_mfa(membership) is expected
    # A referent reads the sensitive notes of the people they follow.
    assert membership_requires_mfa(membership, is_referent=True) is True
    membership.is_active = False
    assert membership_requires_mfa(membership, is_referent=True) is False


def test_rule_for_users(personas):
    assert user_requires_mfa(personas.admin_a.user)
    assert user_requires_mfa(personas.coordinator_a.user)
    assert not user_requires_mfa(personas.trainer_a.user)
    assert not user_requires_mfa(personas.read_only_a.user)
    assert not user_requires_mfa(personas.outsider)
    case_worker = personas.case_worker_a.user
    assert not user_requires_mfa(case_worker)  # follows nobody yet
    PersonFactory(structure=personas.structure_a, referent=case_worker)
    assert user_requires_mfa(case_worker)
    # Referent in a structure they left: no longer reads those notes.
    Membership.objects.filter(pk=personas.case_worker_a.pk).update(is_active=False)
    assert not user_requires_mfa(case_worker)
    staff = UserFactory(is_staff=True)
    assert user_requires_mfa(staff)
    need_to_know = MembershipFactory(structure=personas.structure_b, role=Role.READ_ONLY, need_to_know=True)
    assert user_requires_mfa(need_to_know.user)


def enrol(user):
    return TOTP.activate(user, generate_totp_secret())


def test_nothing_is_forced_when_the_setting_is_off(personas, settings):
    settings.JALON_MFA_REQUIRED = False
    assert personas.client_for(personas.coordinator_a).get("/").status_code == 200


def test_coordinator_without_second_factor_is_sent_to_its_setup(personas, settings):
    settings.JALON_MFA_REQUIRED = True
    client = personas.client_for(personas.coordinator_a)
    for url in ["/", "/personnes/", "/compte/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == SETUP, url
    setup = client.get(SETUP)
    assert setup.status_code == 200
    page = setup.content.decode()
    assert "Activer la double authentification" in page and 'autocomplete="one-time-code"' in page
    assert "activez la double authentification" in page  # why they are here
    # Help, the idle-session warning and logout stay reachable.
    assert client.get("/aide/").status_code == 200
    assert client.get("/compte/session/").status_code == 200
    assert client.post("/comptes/logout/").status_code == 302
    assert client.get("/").status_code == 302 and "/comptes/login/" in client.get("/")["Location"]


def test_htmx_and_api_requests_are_told_plainly(personas, settings):
    settings.JALON_MFA_REQUIRED = True
    client = personas.client_for(personas.admin_a)
    htmx = client.get("/personnes/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == SETUP
    api = client.get("/api/v1/structures")
    assert api.status_code == 403
    assert "double authentification" in api.json()["detail"]


def test_once_enrolled_the_pages_open(personas, settings):
    settings.JALON_MFA_REQUIRED = True
    client = personas.client_for(personas.coordinator_a)
    assert client.get("/").status_code == 302
    enrol(personas.coordinator_a.user)
    assert client.get("/").status_code == 200
    assert client.get("/compte/").status_code == 200


def test_roles_without_sensitive_access_are_not_forced(personas, settings):
    settings.JALON_MFA_REQUIRED = True
    assert personas.client_for(personas.trainer_a).get("/").status_code == 200
    assert personas.client_for(personas.read_only_a).get("/").status_code == 200


def test_anyone_can_enrol_from_the_account_page(personas):
    client = personas.client_for(personas.trainer_a)
    page = client.get("/compte/").content.decode()
    assert "Double authentification" in page and "/comptes/2fa/" in page
    assert client.get("/comptes/2fa/").status_code == 200
    assert client.get(SETUP).status_code == 200


def test_who_must_have_mfa_cannot_remove_the_last_one(personas, settings):
    from allauth.mfa.adapter import get_adapter

    settings.JALON_MFA_REQUIRED = True
    totp = enrol(personas.admin_a.user)
    assert not get_adapter().can_delete_authenticator(totp.instance)
    trainer_totp = enrol(personas.trainer_a.user)
    assert get_adapter().can_delete_authenticator(trainer_totp.instance)
    settings.JALON_MFA_REQUIRED = False
    assert get_adapter().can_delete_authenticator(totp.instance)


def test_adding_a_second_factor_is_journalled(personas, django_capture_on_commit_callbacks):
    from jalon.audit.models import AuditEvent

    client = personas.client_for(personas.trainer_a)
    client.get(SETUP)
    secret = client.session["mfa.totp.secret"]
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=personas.trainer_a.user, type=Authenticator.Type.TOTP).exists()
    assert AuditEvent.objects.filter(
        actor=personas.trainer_a.user, detail__startswith="double authentification"
    ).exists()


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DEBUG": "1"}, False),  # the demo (make demo), with its printed logins
        ({"DEBUG": "", "JALON_ALLOW_DEMO": ""}, True),  # production
        ({"DEBUG": "", "JALON_ALLOW_DEMO": "", "JALON_MFA_REQUIRED": "0"}, False),
        ({"DEBUG": "1", "JALON_MFA_REQUIRED": "1"}, True),
    ],
)
def test_mfa_is_required_by_default_in_production_only(monkeypatch, env, expected):
    import importlib

    import jalon.settings as settings_module

    monkeypatch.delenv("JALON_MFA_REQUIRED", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        assert importlib.reload(settings_module).JALON_MFA_REQUIRED is expected
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


def test_the_rule_costs_no_query_per_page_once_answered(personas, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enrol(personas.coordinator_a.user)
    counts = {}
    for required in (False, True):
        settings.JALON_MFA_REQUIRED = required
        for membership in (personas.coordinator_a, personas.trainer_a):
            client = personas.client_for(membership)
            client.get("/personnes/")  # the first page asks the rule once
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/personnes/").status_code == 200
            counts[(required, membership.role)] = len(queries)
    assert counts[(True, "coordinateur")] == counts[(False, "coordinateur")]
    assert counts[(True, "formateur")] == counts[(False, "formateur")]


@pytest.mark.parametrize("url_name", ["mfa_edit_webauthn", "mfa_remove_webauthn"])
def test_another_users_security_key_is_not_found(personas, url_name):
    from django.urls import reverse

    key = Authenticator.objects.create(
        user=personas.admin_a.user, type=Authenticator.Type.WEBAUTHN, data={"name": "Clé d'Alice"}
    )
    url = reverse(url_name, kwargs={"pk": key.pk})
    stranger = personas.client_for(personas.admin_b)
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"name": "volée"}).status_code == 404
    key.refresh_from_db()
    assert key.data == {"name": "Clé d'Alice"}

import html

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from jalon.audit.models import Action, AuditEvent
from jalon.people import actions
from jalon.people.models import Consent, ConsentPurpose, Person, SensitiveNote, age_band
from jalon.structures.phones import to_e164
from jalon.users.models import ApiToken


def create_payload(**extra):
    data = {
        "first_name": "Aïcha",
        "last_name": "Benali",
        "birth_date": "1990-05-04",
        "phone": "06 11 22 33 44",
        "accompaniment_consent": "on",
        "consent_method": "oral",
    }
    data.update(extra)
    return data


def test_phone_is_stored_in_e164_and_bad_numbers_are_refused_in_french():
    assert to_e164("06 12 34 56 78") == "+33612345678"
    with pytest.raises(Exception) as error:
        to_e164("12")
    assert "numéro" in str(error.value)


def test_age_bands():
    from datetime import date

    today = date(2026, 11, 22)
    assert age_band(date(2002, 11, 23), today) == "-25"
    assert age_band(date(2001, 11, 22), today) == "25-54"
    assert age_band(date(1971, 11, 23), today) == "25-54"
    assert age_band(date(1971, 11, 22), today) == "55+"


def test_create_requires_consent_and_writes_nothing_without_it(personas):
    client = personas.client_for(personas.case_worker_a)
    response = client.post(reverse("person_create"), create_payload(accompaniment_consent=""))
    assert response.status_code == 200
    assert "Il faut l'accord de la personne" in html.unescape(response.content.decode())
    assert not Person.objects.exists()


def test_create_records_consent_audit_and_timeline(personas):
    client = personas.client_for(personas.case_worker_a)
    response = client.post(reverse("person_create"), create_payload())
    person = Person.objects.get()
    assert response.status_code == 302
    assert person.phone == "+33611223344"
    assert person.referent == personas.case_worker_a.user
    assert Consent.objects.active().filter(person=person, purpose=ConsentPurpose.ACCOMPANIMENT).exists()
    assert AuditEvent.objects.filter(person=person, action=Action.CREATE).exists()
    assert person.events.filter(kind="created").exists()


def test_file_and_its_consent_are_one_transaction(personas, monkeypatch):
    """If recording the consent fails, no file is left behind without it (page and API)."""

    def broken_consent(**kwargs):
        raise RuntimeError("consent store down")

    monkeypatch.setattr(actions, "give_consent", broken_consent)
    client = personas.client_for(personas.case_worker_a)
    client.raise_request_exception = False
    response = client.post(reverse("person_create"), create_payload())
    assert response.status_code == 500
    _, raw = ApiToken.issue(user=personas.case_worker_a.user, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False)
    response = api.post(
        "/api/v1/people",
        {"first_name": "Aïcha", "last_name": "Benali", "phone": "0611223344", "consent_method": "oral"},
        content_type="application/json",
    )
    assert response.status_code == 500
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_duplicate_by_name_and_birth_date_offers_existing_file(personas):
    client = personas.client_for(personas.case_worker_a)
    client.post(reverse("person_create"), create_payload())
    response = client.post(
        reverse("person_create"),
        create_payload(first_name="aicha", last_name="BENALI", phone="", email="aicha@example.org"),
    )
    assert "peut-être déjà suivie" in html.unescape(response.content.decode())
    assert Person.objects.count() == 1
    # Confirmed as another person: created.
    client.post(reverse("person_create"), create_payload(phone="06 11 22 33 55", confirm_new="True"))
    assert Person.objects.count() == 2


def test_same_person_in_another_structure_is_not_a_duplicate(personas):
    personas.client_for(personas.case_worker_a).post(reverse("person_create"), create_payload())
    personas.client_for(personas.case_worker_b).post(reverse("person_create"), create_payload())
    assert Person.objects.count() == 2


def test_sensitive_notes_need_to_know(personas, person_a):
    note = actions.add_sensitive_note(
        person=person_a, membership=personas.case_worker_a, category="sante", text="Suivi médical régulier"
    )
    assert "médical" not in SensitiveNote.objects.get(pk=note.pk).ciphertext
    url = reverse("person_sensitive", args=[person_a.pk])
    # The referent reads it, and the read is audited.
    response = personas.client_for(personas.case_worker_a).get(url)
    assert "Suivi médical régulier" in html.unescape(response.content.decode())
    assert AuditEvent.objects.filter(person=person_a, action=Action.READ_SENSITIVE).count() == 1
    # A colleague without need-to-know does not, nor does the admin.
    assert personas.client_for(personas.coordinator_a).get(url).status_code == 404
    assert personas.client_for(personas.admin_a).get(url).status_code == 404
    personas.coordinator_a.need_to_know = True
    personas.coordinator_a.save()
    assert personas.client_for(personas.coordinator_a).get(url).status_code == 200


def test_sensitive_notes_never_go_to_a_shared_structure(personas, person_a):
    actions.give_consent(
        person=person_a,
        structure=personas.structure_a,
        actor=personas.case_worker_a.user,
        purpose=ConsentPurpose.SHARING,
        method="papier",
        target_structure=personas.structure_b,
    )
    personas.case_worker_b.need_to_know = True
    personas.case_worker_b.save()
    client = personas.client_for(personas.case_worker_b)
    assert client.get(reverse("person_detail", args=[person_a.pk])).status_code == 200
    assert client.get(reverse("person_sensitive", args=[person_a.pk])).status_code == 404
    assert client.get(reverse("person_access_log", args=[person_a.pk])).status_code == 404


def test_key_rotation_keeps_notes_readable(personas, person_a, settings):
    from cryptography.fernet import Fernet

    note = actions.add_sensitive_note(
        person=person_a, membership=personas.case_worker_a, category="handicap", text="RQTH"
    )
    old = SensitiveNote.objects.get(pk=note.pk).ciphertext
    new_key = Fernet.generate_key().decode()
    settings.JALON_ENCRYPTION_KEYS = [new_key, *settings.JALON_ENCRYPTION_KEYS]
    call_command("rotate-keys", stdout=open("/dev/null", "w"))
    rotated = SensitiveNote.objects.get(pk=note.pk)
    assert rotated.ciphertext != old
    settings.JALON_ENCRYPTION_KEYS = [new_key]  # the old key can now be removed
    assert rotated.text == "RQTH"


def test_access_log_lists_reads(personas, person_a):
    personas.client_for(personas.coordinator_a).get(reverse("person_detail", args=[person_a.pk]))
    response = personas.client_for(personas.case_worker_a).get(
        reverse("person_access_log", args=[person_a.pk])
    )
    assert personas.coordinator_a.user.get_full_name() in html.unescape(response.content.decode())


def test_login_success_and_failure_are_audited(personas):
    from django.test import Client

    client = Client()
    client.post(reverse("account_login"), {"login": "cip.a@example.org", "password": "mauvais-mot-de-passe"})
    assert AuditEvent.objects.filter(
        action=Action.LOGIN_FAILED, object_id=str(personas.case_worker_a.user.pk)
    ).exists()
    client.post(reverse("account_login"), {"login": "cip.a@example.org", "password": "motdepasse-test-1"})
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=personas.case_worker_a.user).exists()


@override_settings(SITE_URL="https://jalon.example.org")
def test_invitation_creates_account_and_membership(personas, client):
    from django.core import mail

    from jalon.structures.actions import invite
    from jalon.structures.models import Membership

    with pytest.MonkeyPatch.context() as patch:
        from jalon.structures import models as structure_models

        patch.setattr(
            structure_models.Invitation,
            "new_token",
            staticmethod(lambda: ("jeton-test", structure_models._hash("jeton-test"))),
        )
        invite(
            structure=personas.structure_a,
            actor=personas.admin_a.user,
            email="Nouvelle@Example.org",
            role="formateur",
        )
    from jalon.notifications.actions import deliver_due

    deliver_due()
    assert "https://jalon.example.org/invitation/jeton-test/" in mail.outbox[-1].body
    response = client.post(
        "/invitation/jeton-test/",
        {
            "first_name": "Nina",
            "last_name": "Roux",
            "password1": "un-long-mot-2-passe",
            "password2": "un-long-mot-2-passe",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="nouvelle@example.org")
    assert membership.structure == personas.structure_a and membership.role == "formateur"
    # The link works once.
    assert client.get("/invitation/jeton-test/").status_code == 404


def test_last_admin_cannot_be_removed(personas):
    from jalon.structures.actions import update_membership

    with pytest.raises(ValueError):
        update_membership(
            membership=personas.admin_a,
            actor=personas.admin_a.user,
            role="lecture",
            need_to_know=False,
            is_active=True,
        )


def test_email_is_stored_lower_case_and_found_whatever_the_case(personas):

    client = personas.client_for(personas.case_worker_a)
    client.post(reverse("person_create"), create_payload(email="Aicha.Benali@Example.org"))
    assert Person.objects.get().email == "aicha.benali@example.org"
    response = client.get(reverse("people_list"), {"q": "AICHA.BENALI@example.org"})
    assert "BENALI" in html.unescape(response.content.decode())

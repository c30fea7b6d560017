"""The category of a sensitive note (health, disability) is encrypted like its text; a key that
cannot open the notes stops the start (system check), never a 500 on the page."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from jalon.people import actions, crypto
from jalon.people.models import SensitiveCategory, SensitiveNote
from jalon.www import checks


def _note(personas, person, category="sante", text="Traitement au long cours"):
    return actions.add_sensitive_note(
        person=person, membership=personas.case_worker_a, category=category, text=text
    )


@pytest.mark.django_db
def test_the_category_is_stored_encrypted_and_read_back(personas, person_a):
    note = _note(personas, person_a)
    raw = SensitiveNote.objects.values_list("category_ciphertext", flat=True).get(pk=note.pk)
    assert "sante" not in raw and crypto.decrypt(raw) == "sante"
    stored = SensitiveNote.objects.get(pk=note.pk)
    assert stored.category == SensitiveCategory.HEALTH
    assert stored.get_category_display() == "Santé"


def test_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="inconnue"):
        SensitiveNote(category="autre")


@pytest.mark.django_db
def test_the_page_still_shows_the_category(personas, person_a):
    _note(personas, person_a, category="handicap", text="Malentendant")
    response = personas.client_for(personas.case_worker_a).get(
        reverse("person_sensitive", args=[person_a.pk])
    )
    assert response.status_code == 200
    assert "Handicap" in response.content.decode()


@pytest.mark.django_db
def test_rotation_moves_the_category_to_the_new_key(personas, person_a, settings):
    note = _note(personas, person_a)
    new_key = Fernet.generate_key().decode()
    settings.JALON_ENCRYPTION_KEYS = [new_key, *settings.JALON_ENCRYPTION_KEYS]
    call_command("rotate-keys", stdout=open("/dev/null", "w"))
    settings.JALON_ENCRYPTION_KEYS = [new_key]  # the old key removed
    rotated = SensitiveNote.objects.get(pk=note.pk)
    assert rotated.category == "sante" and rotated.text == "Traitement au long cours"


# The system check.


@pytest.mark.django_db
def test_keys_that_open_the_notes_pass(personas, person_a, settings):
    _note(personas, person_a)
    assert checks.keys_open_notes_errors() == []
    # A new key in front of the old one (rotation under way) still opens them.
    settings.JALON_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.JALON_ENCRYPTION_KEYS]
    assert checks.keys_open_notes_errors() == []


@pytest.mark.django_db
def test_no_note_nothing_to_open():
    assert checks.keys_open_notes_errors() == []


@pytest.mark.django_db
def test_a_wrong_key_stops_the_start_without_printing_it(personas, person_a, settings):
    _note(personas, person_a)
    wrong = Fernet.generate_key().decode()
    settings.JALON_ENCRYPTION_KEYS = [wrong]
    errors = checks.keys_open_notes_errors()
    assert [error.id for error in errors] == ["jalon.E003"]
    assert wrong not in errors[0].msg and person_a.last_name not in errors[0].msg
    with pytest.raises(SystemCheckError, match="jalon.E003"):
        call_command("check", databases=["default"], stdout=open("/dev/null", "w"))


@pytest.mark.django_db
def test_without_databases_the_check_does_not_query(settings, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert checks.check_keys_open_notes(None) == []


# The data migration.

BEFORE = [("people", "0005_person_retention_notice_and_anonymised_at")]
ENCRYPTED = [("people", "0008_remove_sensitive_note_plain_category")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_categories_and_reverses(personas, person_a):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldNote = old.get_model("people", "SensitiveNote")
        OldNote.objects.create(person_id=person_a.pk, category="handicap", ciphertext=crypto.encrypt("RQTH"))
        executor = MigrationExecutor(connection)
        executor.migrate(ENCRYPTED)
        new = executor.loader.project_state(ENCRYPTED).apps
        raw = new.get_model("people", "SensitiveNote").objects.get(person_id=person_a.pk).category_ciphertext
        assert "handicap" not in raw and crypto.decrypt(raw) == "handicap"
        # Back: the plain category is written again from the encrypted one.
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps
        assert (
            back.get_model("people", "SensitiveNote").objects.get(person_id=person_a.pk).category
            == "handicap"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

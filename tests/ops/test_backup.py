"""`jalon backup` / `jalon restore`: round trip on the test database (SQLite or PostgreSQL, as run),
refusals that write nothing, and the streamed encryption of the archive."""

import io
import os

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from jalon.audit.models import AuditEvent
from jalon.ops import backup
from jalon.ops.crypto import (
    CHUNK_SIZE,
    BackupKeyError,
    CorruptArchive,
    DecryptingReader,
    EncryptingWriter,
    decode_key,
    generate_key,
)
from jalon.people import actions as people_actions
from jalon.people.models import Person

from ..factories import PersonFactory

KEY = generate_key()


@pytest.fixture
def backup_env(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("JALON_BACKUP_KEY", KEY)
    media = tmp_path / "media"
    (media / "imports" / "2026").mkdir(parents=True)
    (media / "imports" / "2026" / "liste été.csv").write_text("nom;prénom\nMartin;Zoé\n", encoding="utf-8")
    (media / "badge.png").write_bytes(bytes(range(256)) * 50)
    settings.MEDIA_ROOT = media
    return tmp_path


def _snapshot() -> dict:
    """Every row of every table but the audit journal (backup and restore each add one event)."""
    rows = {}
    for model in apps.get_models():
        if model is AuditEvent or model._meta.proxy or not model._meta.managed:
            continue
        rows[model._meta.label] = list(model._default_manager.order_by("pk").values_list())
    return rows


def _media(root) -> dict:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _drop_every_table() -> None:
    """An empty database, as a new server gives."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "postgresql":
            # Tables and the functions the migrations create (jalon_service_zones).
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    connection.close()


def _data(personas):
    person = PersonFactory(structure=personas.structure_a, referent=personas.case_worker_a.user)
    people_actions.add_sensitive_note(
        person=person, membership=personas.case_worker_a, category="sante", text="Suivi médical"
    )
    return person


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_an_empty_database_gives_the_same_rows_and_files(personas, backup_env):
    person = _data(personas)
    rows, files = _snapshot(), _media(backup_env / "media")
    archive = backup_env / "jalon.jalonbackup"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.stat().st_mode & 0o777 == 0o600
    # Nothing readable in the archive: neither a name nor the uploaded file's text.
    content = archive.read_bytes()
    assert person.last_name.encode() not in content and b"Martin;Zo" not in content

    _drop_every_table()
    for path in (backup_env / "media").rglob("*"):
        if path.is_file():
            path.unlink()

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert "Restauration terminée" in out.getvalue()
    assert _snapshot() == rows
    assert _media(backup_env / "media") == files
    assert AuditEvent.objects.filter(action="admin", detail__startswith="Restauration").count() == 1
    # The sensitive note is still readable with the instance's own key.
    note = Person.objects.get(pk=person.pk).sensitive_notes.get()
    assert note.text == "Suivi médical"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_in_use_unless_forced(personas, backup_env):
    _data(personas)
    archive = backup_env / "a.jalonbackup"
    call_command("backup", str(archive), stdout=io.StringIO())
    rows = _snapshot()
    later = PersonFactory(structure=personas.structure_a)

    with pytest.raises(CommandError, match="n'est pas vide.*--force"):
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert Person.objects.filter(pk=later.pk).exists()

    call_command("restore", str(archive), "--yes", "--force", stdout=io.StringIO())
    assert _snapshot() == rows
    assert not Person.objects.filter(pk=later.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_check_only_and_a_refused_confirmation_write_nothing(personas, backup_env, monkeypatch):
    archive = backup_env / "a.jalonbackup"
    call_command("backup", str(archive), stdout=io.StringIO())
    later = PersonFactory(structure=personas.structure_a)
    out = io.StringIO()
    call_command("restore", str(archive), "--check-only", stdout=out)
    assert "archive intacte" in out.getvalue()

    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "non")
    with pytest.raises(CommandError, match="annulée : rien n'a été modifié"):
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert "remplacé" in questions[0]
    assert Person.objects.filter(pk=later.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_wrong_key_damaged_or_cut_archives_are_refused_and_nothing_is_written(
    personas, backup_env, monkeypatch
):
    archive = backup_env / "a.jalonbackup"
    call_command("backup", str(archive), stdout=io.StringIO())
    later = PersonFactory(structure=personas.structure_a)
    (backup_env / "media" / "badge.png").write_bytes(b"nouveau")
    content = archive.read_bytes()

    def refused(path, message):
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path), "--yes", "--force", stdout=io.StringIO())

    monkeypatch.setenv("JALON_BACKUP_KEY", generate_key())
    refused(archive, "n'est pas celle de cette archive")
    monkeypatch.setenv("JALON_BACKUP_KEY", KEY)

    damaged = backup_env / "damaged.jalonbackup"
    middle = len(content) // 2
    damaged.write_bytes(content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1 :])
    refused(damaged, "abîmée")

    cut = backup_env / "cut.jalonbackup"
    cut.write_bytes(content[: len(content) - 10])
    refused(cut, "abîmée|incomplète")

    other = backup_env / "other.txt"
    other.write_text("pas une sauvegarde")
    refused(other, "n'est pas une sauvegarde Jalon")

    assert Person.objects.filter(pk=later.pk).exists()
    assert (backup_env / "media" / "badge.png").read_bytes() == b"nouveau"


def test_a_backup_from_another_database_vendor_is_refused(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    archive = backup.Archive(
        manifest={"database": {"vendor": other, "file": "x"}, "migrations": [], "media": []}, folder=tmp_path
    )
    with pytest.raises(backup.BackupError, match="Restaurez-la sur le même type de base"):
        backup.check_restorable(archive, force=True)


@pytest.mark.django_db
def test_a_backup_from_a_newer_version_is_refused(tmp_path):
    archive = backup.Archive(
        manifest={
            "database": {"vendor": connection.vendor, "file": "x"},
            "migrations": ["people.9999_from_the_future"],
            "media": [],
        },
        folder=tmp_path,
    )
    with pytest.raises(backup.BackupError, match="version plus récente"):
        backup.check_restorable(archive, force=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "JALON_BACKUP_KEY n'est pas défini"),
        ("trop-courte", "n'est pas une clé valide"),
        (os.environ["JALON_ENCRYPTION_KEYS"].split(",")[0], "différente de SECRET_KEY"),
    ],
)
def test_the_backup_key_is_required_valid_and_kept_apart(monkeypatch, value, message):
    monkeypatch.setenv("JALON_BACKUP_KEY", value)
    with pytest.raises(CommandError, match=message):
        call_command("backup", "/nonexistent", stdout=io.StringIO())


def test_generate_key_prints_a_usable_key():
    out = io.StringIO()
    call_command("backup", "--generate-key", stdout=out)
    assert len(decode_key(out.getvalue().strip())) == 32


class _CountingSink(io.BytesIO):
    largest = 0

    def write(self, data):
        _CountingSink.largest = max(_CountingSink.largest, len(data))
        return super().write(data)


def test_encryption_is_streamed_in_chunks_and_detects_reordering():
    key = decode_key(generate_key())
    payload = os.urandom(3 * CHUNK_SIZE + 123)
    sink = _CountingSink()
    writer = EncryptingWriter(sink, key)
    for start in range(0, len(payload), 64 * 1024):
        writer.write(payload[start : start + 64 * 1024])
        # Memory stays bounded: never more than one chunk waits in the writer.
        assert len(writer.buffer) <= CHUNK_SIZE
    writer.close()
    assert _CountingSink.largest <= CHUNK_SIZE + 16 + 4
    sealed = sink.getvalue()
    reader = DecryptingReader(io.BytesIO(sealed), key)
    assert reader.read() == payload
    reader.read_to_end()

    with pytest.raises(BackupKeyError):
        DecryptingReader(io.BytesIO(sealed), decode_key(generate_key()))

    # Swap the first two chunks: each is intact, their order is not.
    header = 8 + 16 + 16
    frame = 4 + CHUNK_SIZE + 16
    first, second = sealed[header : header + frame], sealed[header + frame : header + 2 * frame]
    swapped = sealed[:header] + second + first + sealed[header + 2 * frame :]
    with pytest.raises(CorruptArchive):
        DecryptingReader(io.BytesIO(swapped), key).read()

    # Drop the last chunk: the archive ends cleanly on a chunk boundary, but is not finished.
    last_start = header + 3 * frame
    with pytest.raises(CorruptArchive, match="incomplète"):
        DecryptingReader(io.BytesIO(sealed[:last_start]), key).read()


def test_a_backup_from_an_older_version_is_restored_with_a_reminder_to_migrate(tmp_path):
    from django.db.migrations.loader import MigrationLoader

    on_disk = sorted(f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations)
    archive = backup.Archive(
        manifest={
            "database": {"vendor": connection.vendor, "file": "x"},
            "migrations": on_disk[:-1],
            "media": [],
        },
        folder=tmp_path,
    )
    assert any("jalon migrate" in warning for warning in backup.check_restorable(archive, force=True))
    archive.manifest["migrations"] = on_disk
    assert backup.check_restorable(archive, force=True) == []


def test_files_in_object_storage_are_left_to_its_own_backups(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert backup._media_root() is None
    archive = backup.Archive(
        manifest={
            "database": {"vendor": connection.vendor, "file": "x"},
            "migrations": [],
            "media": [{"name": "media/a.csv", "size": 1, "sha256": "0"}],
        },
        folder=tmp_path,
    )
    # Refused before the database is touched: the files would have nowhere to go.
    with pytest.raises(backup.BackupError, match="stockage objet"):
        backup.check_restorable(archive, force=True)

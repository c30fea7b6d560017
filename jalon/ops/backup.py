"""`jalon backup` and `jalon restore`: the database and the uploaded files in one encrypted archive.

The archive (see jalon.ops.crypto) holds a tar stream: manifest.json first, then the database
(PostgreSQL: `pg_dump --format=custom`; SQLite: a copy made with SQLite's online backup API, safe
while the site runs), then the files of a local default storage (MEDIA_ROOT) under media/ (files
in S3-compatible object storage are left to its own versioning). The manifest names the format
version, the date, the database vendor, the migrations applied and a SHA-256 of every file.

A restore reads and checks the whole archive into a private temporary folder before it touches
the database or the files: a wrong key, a damaged archive or a mismatch writes nothing.
"""

import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .crypto import BackupKeyError, CorruptArchive, DecryptingReader, EncryptingWriter, decode_key

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
READ_SIZE = 1024 * 1024

logger = logging.getLogger(__name__)


class BackupError(Exception):
    """A refusal or failure explained in French to whoever runs the command."""


@dataclass
class Archive:
    manifest: dict
    folder: Path  # the checked, decrypted content (database file and media/)


def backup_key() -> bytes:
    """The backup key, from the environment only: it must not live beside the database's keys."""
    value = os.environ.get("JALON_BACKUP_KEY", "")
    if not value:
        raise BackupError(
            "JALON_BACKUP_KEY n'est pas défini. Créez une clé avec « jalon backup --generate-key », "
            "gardez-la hors du serveur (coffre de mots de passe) et passez-la dans l'environnement."
        )
    if value == settings.SECRET_KEY or value in settings.JALON_ENCRYPTION_KEYS:
        raise BackupError(
            "JALON_BACKUP_KEY doit être différente de SECRET_KEY et des clés JALON_ENCRYPTION_KEYS : "
            "une sauvegarde volée avec le serveur serait sinon lisible."
        )
    try:
        return decode_key(value)
    except BackupKeyError as exc:
        raise BackupError(str(exc)) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(READ_SIZE):
            digest.update(block)
    return digest.hexdigest()


def _media_root() -> Path | None:
    """The folder of the default storage; None when files live in object storage (S3)."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def _object_storage() -> bool:
    return _media_root() is None


def _media_files(root: Path | None) -> list[Path]:
    if root is None or not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _pg_program(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest Debian install under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found

    def major(path: Path) -> int:
        return int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=major)
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"Le programme {name} est introuvable : installez le client PostgreSQL (postgresql-client)."
    )


def _pg_environment() -> tuple[list[str], dict]:
    """Connection arguments for the PostgreSQL tools; the password goes through the environment."""
    params = connection.settings_dict
    env = {**os.environ}
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    if params.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(params["OPTIONS"]["sslmode"])
    return args, env


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # The tool's own message names tables and options, never row data: safe to show.
        lines = result.stderr.strip().splitlines()
        errors = [line.strip() for line in lines if "error" in line.lower() or "erreur" in line.lower()]
        raise BackupError(f"{what} a échoué : " + " / ".join((errors or lines)[:3]))


def _dump_database(target: Path) -> None:
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        args, env = _pg_environment()
        command = [_pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        command += ["--file", str(target), *args, str(connection.settings_dict["NAME"])]
        _run(command, env, "pg_dump")
    elif connection.vendor == "sqlite":
        destination = sqlite3.connect(target)
        try:
            # The live connection itself: works for a file and for an in-memory database alike,
            # and copies a consistent state while other processes write.
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        raise BackupError(f"Base de données non prise en charge : {connection.vendor}.")


def _applied_migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _version() -> str:
    try:
        return metadata.version("jalon")
    except metadata.PackageNotFoundError:
        return "inconnue"


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def create_backup(*, output: Path) -> dict:
    """Write the encrypted archive to `output`; return its manifest."""
    key = backup_key()
    output = Path(output)
    media_root = _media_root()
    with tempfile.TemporaryDirectory(prefix="jalon-backup-") as tmp:
        # The clear dump lives only in this private folder (0700) for the time of the backup.
        database_name = DATABASE_FILES.get(connection.vendor, "database")
        database_path = Path(tmp) / database_name
        _dump_database(database_path)
        files = [
            {
                "name": f"media/{path.relative_to(media_root).as_posix()}",
                "size": path.stat().st_size,
                "sha256": _sha256(path),
            }
            for path in _media_files(media_root)
        ]
        manifest = {
            "format": FORMAT_VERSION,
            "application": "jalon",
            "version": _version(),
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": connection.vendor,
                "file": database_name,
                "size": database_path.stat().st_size,
                "sha256": _sha256(database_path),
            },
            "migrations": _applied_migrations(),
            # "objet": the files are in S3-compatible storage, saved by its own versioning, not here.
            "media_storage": "objet" if _object_storage() else "local",
            "media": files,
        }
        partial = output.with_name(output.name + ".partiel")
        try:
            # Readable by its owner only, from the first byte.
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw:
                writer = EncryptingWriter(raw, key)
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
                    tar.add(database_path, arcname=database_name, recursive=False)
                    for entry in files:
                        source = media_root / entry["name"].removeprefix("media/")
                        tar.add(source, arcname=entry["name"], recursive=False)
                writer.close()
                raw.flush()
                os.fsync(raw.fileno())
            # Renamed only once complete: a crash never leaves a half archive under the real name.
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    _record("Sauvegarde complète (base de données et fichiers)", export=True)
    return manifest


def _safe_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise CorruptArchive("L'archive contient un chemin de fichier interdit.")
    return path


def read_archive(*, archive: Path, folder: Path) -> Archive:
    """Decrypt and check the whole archive into `folder` (private, temporary). Writes nothing else."""
    key = backup_key()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Fichier introuvable : {archive}")
    try:
        with archive.open("rb") as raw:
            reader = DecryptingReader(raw, key)
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                manifest = None
                seen = {}
                for member in tar:
                    name = _safe_member_name(member.name)
                    if manifest is None:
                        if member.name != MANIFEST or not member.isfile():
                            raise CorruptArchive("L'archive ne commence pas par son manifeste.")
                        manifest = json.loads(tar.extractfile(member).read())
                        _check_manifest(manifest)
                        continue
                    if not member.isfile():
                        raise CorruptArchive("L'archive contient autre chose que des fichiers.")
                    target = folder.joinpath(*name.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    source = tar.extractfile(member)
                    with target.open("wb") as handle:
                        while block := source.read(READ_SIZE):
                            digest.update(block)
                            handle.write(block)
                    seen[member.name] = digest.hexdigest()
            reader.read_to_end()
    except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError, EOFError) as exc:
        raise BackupError(f"L'archive est abîmée ({type(exc).__name__}).") from None
    except (BackupKeyError, CorruptArchive) as exc:
        raise BackupError(str(exc)) from None
    if manifest is None:
        raise BackupError("L'archive est vide.")
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected.update({entry["name"]: entry["sha256"] for entry in manifest["media"]})
    if expected != seen:
        raise BackupError(
            "L'archive ne correspond pas à son manifeste (fichier manquant, en trop ou modifié)."
        )
    return Archive(manifest=manifest, folder=folder)


def _check_manifest(manifest: dict) -> None:
    if not isinstance(manifest, dict) or manifest.get("application") != "jalon":
        raise CorruptArchive("Le manifeste de l'archive est illisible.")
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"Format de sauvegarde {manifest.get('format')} inconnu de cette version de Jalon "
            f"(elle lit le format {FORMAT_VERSION})."
        )


def _database_is_empty() -> bool:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _media_is_empty() -> bool:
    return not _media_files(_media_root())


def check_restorable(archive: Archive, *, force: bool) -> list[str]:
    """Refuse what cannot be restored here; return warnings to show before asking for confirmation."""
    manifest = archive.manifest
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
        raise BackupError(
            f"Cette sauvegarde vient d'une base {names.get(vendor, vendor)} ; cette instance utilise "
            f"{names.get(connection.vendor, connection.vendor)}. Restaurez-la sur le même type de base."
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    # A migration squashed since the backup is known under the name of its replacement.
    for migration in loader.disk_migrations.values():
        known.update(f"{app}.{name}" for app, name in migration.replaces)
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            "Cette sauvegarde vient d'une version plus récente de Jalon (migrations inconnues ici : "
            + ", ".join(unknown[:5])
            + "). Installez au moins cette version avant de restaurer."
        )
    if manifest["media"] and _object_storage():
        raise BackupError(
            "Cette sauvegarde contient des fichiers déposés, mais cette instance range ses fichiers dans "
            "un stockage objet (JALON_S3_BUCKET) : restaurez sans JALON_S3_BUCKET, puis copiez le "
            "dossier des fichiers dans le stockage objet."
        )
    if not force and not (_database_is_empty() and _media_is_empty()):
        raise BackupError(
            "La base de données ou le dossier des fichiers déposés n'est pas vide. Restaurez dans "
            "une base neuve, ou ajoutez --force pour remplacer leur contenu."
        )
    warnings = []
    applied = set(manifest["migrations"])

    def is_applied(key, migration) -> bool:
        replaced = [f"{app}.{name}" for app, name in migration.replaces]
        return key in applied or bool(replaced) and all(name in applied for name in replaced)

    if not all(is_applied(f"{app}.{name}", m) for (app, name), m in loader.disk_migrations.items()):
        warnings.append(
            "La sauvegarde vient d'une version plus ancienne : lancez « jalon migrate » après la restauration."
        )
    return warnings


def _restore_database(path: Path, *, force: bool) -> None:
    if connection.vendor == "postgresql":
        args, env = _pg_environment()
        command = [_pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        command += ["--single-transaction"]
        if force:
            command += ["--clean", "--if-exists"]
        command += ["--dbname", str(connection.settings_dict["NAME"]), *args, str(path)]
        # Our own connection must hold no lock on the tables pg_restore drops.
        connection.close()
        _run(command, env, "pg_restore")
    else:
        source = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            # Page by page into the live database: it replaces its whole content.
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()


def _restore_media(folder: Path, manifest: dict) -> None:
    root = _media_root()
    if not manifest["media"]:
        return
    if root is None:  # refused earlier, before anything was written (check_restorable)
        raise BackupError("Cette instance n'a pas de dossier local pour les fichiers de la sauvegarde.")
    root = root.resolve()
    for entry in manifest["media"]:
        relative = _safe_member_name(entry["name"].removeprefix("media/"))
        target = root.joinpath(*relative.parts)
        if root not in target.resolve().parents:
            raise BackupError("L'archive contient un chemin de fichier interdit.")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same file system: a move is a rename; a crash leaves whole files, never half ones.
        staged = target.with_name(target.name + ".restauration")
        shutil.copyfile(folder / entry["name"], staged)
        staged.replace(target)


def restore(archive: Archive, *, force: bool) -> None:
    """Replace the database and write the archive's files into MEDIA_ROOT (checks done before)."""
    check_restorable(archive, force=force)
    _restore_database(archive.folder / archive.manifest["database"]["file"], force=force)
    _restore_media(archive.folder, archive.manifest)
    _record(f"Restauration de la sauvegarde du {archive.manifest['created_at'][:19]}", export=False)


def _record(detail: str, *, export: bool) -> None:
    from jalon.audit.actions import record
    from jalon.audit.models import Action

    # Best effort on a database just restored from an older version (its audit table may lag).
    try:
        record(action=Action.EXPORT if export else Action.ADMIN, detail=detail, via="job")
    except Exception as exc:  # noqa: BLE001
        logger.warning("backup: audit event not written (%s)", type(exc).__name__)
        connection.close()

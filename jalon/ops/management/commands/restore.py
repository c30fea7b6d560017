import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jalon.ops import backup


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde faite par « jalon backup » dans une base vide "
        "(ou remplace le contenu avec --force). Voir docs/deploiement.md, « Restaurer »."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Le fichier de sauvegarde.")
        parser.add_argument("--yes", action="store_true", help="Ne pas demander de confirmation.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Remplacer une base et un dossier de fichiers qui ne sont pas vides.",
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="Vérifier l'archive (clé, intégrité, compatibilité) sans rien restaurer.",
        )

    def handle(self, *args, archive, yes=False, force=False, check_only=False, **options):
        # Everything is decrypted and checked in a private folder before anything is written.
        with tempfile.TemporaryDirectory(prefix="jalon-restore-") as folder:
            try:
                content = backup.read_archive(archive=Path(archive), folder=Path(folder))
                warnings = backup.check_restorable(content, force=force or check_only)
            except backup.BackupError as exc:
                raise CommandError(str(exc)) from None
            manifest = content.manifest
            self.stdout.write(
                f"Sauvegarde du {manifest['created_at'][:19]} (Jalon {manifest['version']}, "
                f"{manifest['database']['vendor']}, {len(manifest['media'])} fichier(s)) : archive intacte."
            )
            for warning in warnings:
                self.stdout.write(self.style.WARNING(warning))
            if check_only:
                return
            if not yes:
                question = (
                    "Le contenu actuel de la base sera remplacé. Tapez « oui » pour continuer : "
                    if force
                    else "Restaurer cette sauvegarde ? Tapez « oui » pour continuer : "
                )
                if input(question).strip().lower() not in {"oui", "o", "yes", "y"}:
                    raise CommandError("Restauration annulée : rien n'a été modifié.")
            try:
                backup.restore(content, force=force)
            except backup.BackupError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("Restauration terminée."))

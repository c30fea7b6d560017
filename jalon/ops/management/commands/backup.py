from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jalon.ops import backup
from jalon.ops.crypto import generate_key as new_key


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données et les fichiers déposés dans une archive chiffrée "
        "avec JALON_BACKUP_KEY (voir docs/deploiement.md, « Sauvegardes »)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            nargs="?",
            help="Fichier ou dossier de destination (par défaut : le dossier courant).",
        )
        parser.add_argument(
            "--generate-key", action="store_true", help="Affiche une nouvelle clé de sauvegarde et s'arrête."
        )

    def handle(self, *args, destination=None, generate_key=False, **options):
        if generate_key:
            self.stdout.write(new_key())
            return
        target = Path(destination or ".")
        if target.is_dir():
            target = target / f"jalon-{timezone.now():%Y%m%d-%H%M%S}.jalonbackup"
        try:
            manifest = backup.create_backup(output=target)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite dans {target} ({manifest['database']['vendor']}, "
                f"{len(manifest['media'])} fichier(s) déposé(s))."
            )
        )

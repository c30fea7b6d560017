from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jalon.directory.importer import import_file
from jalon.structures.models import Structure


class Command(BaseCommand):
    help = (
        "Importe un fichier data·inclusion (JSON, CSV ou modèle de tableur XLSX) de structures et de services. Tout est vérifié "
        "avant d'écrire : une seule ligne fausse, et rien n'est enregistré. Relancer le même fichier "
        "ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier .json, .csv ou .xlsx")
        parser.add_argument(
            "--proprietaire", metavar="NOM", help="Structure Jalon qui publie cette offre (nom exact)."
        )
        parser.add_argument(
            "--source",
            default="",
            help="Source des lignes qui n'en ont pas (le modèle XLSX n'a pas de colonne « source »).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        owner = None
        if options["proprietaire"]:
            owner = Structure.objects.filter(name__iexact=options["proprietaire"].strip()).first()
            if owner is None:
                raise CommandError(f"Structure inconnue : « {options['proprietaire']} ».")
        with path.open("rb") as stream:
            # A workbook is streamed from the file; JSON and CSV are read whole.
            report = import_file(path.name, stream, owner=owner, source=options["source"])
        for problem in report.problems:
            self.stderr.write(str(problem))
        for notice in report.notices:
            self.stdout.write(notice)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))

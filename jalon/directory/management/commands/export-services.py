import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jalon.directory import spreadsheet
from jalon.directory.exporter import export_offer
from jalon.structures.models import Structure


class Command(BaseCommand):
    help = (
        "Exporte l'offre d'une structure au format data·inclusion : JSON, ou le modèle de tableur XLSX "
        "(à corriger puis envoyer au valideur national)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--proprietaire", metavar="NOM", required=True, help="Structure Jalon (nom exact)."
        )
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--sortie", metavar="FICHIER", required=True, help="Fichier à écrire.")

    def handle(self, *args, **options):
        owner = Structure.objects.filter(name__iexact=options["proprietaire"].strip()).first()
        if owner is None:
            raise CommandError(f"Structure inconnue : « {options['proprietaire']} ».")
        offer = export_offer(owner)
        target = Path(options["sortie"])
        if options["format"] == "xlsx":
            target.write_bytes(spreadsheet.write_workbook(offer))
        else:
            target.write_text(json.dumps(offer, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(offer['structures'])} structure(s) et {len(offer['services'])} service(s) écrits."
            )
        )

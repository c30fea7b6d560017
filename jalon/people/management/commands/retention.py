"""`jalon retention [--dry-run]`: apply the retention rules now and print what was done.

The report counts per structure and per rule, never names. The dry run writes nothing.
"""

from django.core.management.base import BaseCommand

from jalon.people import retention
from jalon.structures.models import Structure


class Command(BaseCommand):
    help = "Applique les règles de conservation (anonymisation, purges) et affiche un bilan chiffré."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compter seulement : rien n'est modifié ni envoyé."
        )

    def handle(self, *args, dry_run=False, **options):
        report = retention.run(dry_run=dry_run)
        ids = {structure_id for counts in report.values() for structure_id in counts}
        names = dict(Structure.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))
        title = "Simulation (rien n'est modifié)" if dry_run else "Conservation appliquée"
        self.stdout.write(f"{title} :")
        for rule, label in retention.RULES.items():
            counts = report[rule]
            self.stdout.write(f"- {label} : {sum(counts.values())}")
            for structure_id, n in sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0)):
                name = names.get(structure_id, "sans structure")
                self.stdout.write(f"    {name} : {n}")

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jalon.structures.models import Structure


class Command(BaseCommand):
    help = (
        "Charge la démo (les dix programmes, leurs partenaires, comptes et personnes fictives). Relançable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=0, help="Ajoute N personnes fictives en masse.")
        parser.add_argument(
            "--structure", default="POP", help="Structure qui reçoit ces personnes (défaut : POP)."
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        if settings.JALON_PRODUCTION:
            raise CommandError(
                "Refusé : la démo ne se charge pas sur une base de production (DEBUG désactivé). "
                "Pour un essai, définissez DEBUG=1 ou JALON_ALLOW_DEMO=1."
            )
        from jalon.demo.data import load

        created = load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo prête : {created['structures']} structure(s), {created['comptes']} compte(s), "
                f"{created['personnes']} personne(s) ajoutés (le reste était déjà là)."
            )
        )
        if options["people"]:
            from jalon.demo.bulk import bulk_people

            structure = Structure.objects.filter(name=options["structure"]).first()
            if structure is None:
                raise CommandError(f"Structure inconnue : {options['structure']}.")
            count = bulk_people(
                structures=[structure], count=options["people"], seed=options["seed"], stdout=self.stdout
            )
            self.stdout.write(self.style.SUCCESS(f"{count} personne(s) ajoutée(s) à {structure.name}."))

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from jalon.structures.models import Commune, Structure

LABELS = {
    "structures": "structures",
    "partenariats": "partenariats",
    "comptes": "comptes",
    "rattachements": "rattachements de comptes à une structure",
    "personnes": "personnes accompagnées",
}


class Command(BaseCommand):
    help = (
        "Charge la démo : les dix programmes, leurs partenaires, un compte par rôle et des personnes "
        "fictives. Relançable : la seconde fois, rien ne change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            default=0,
            metavar="N",
            help="Ajoute en plus N personnes fictives, en masse (pour les mesures de performance).",
        )
        parser.add_argument(
            "--structure",
            default="POP",
            metavar="NOM",
            help="Structure qui reçoit ces N personnes (défaut : POP).",
        )
        parser.add_argument(
            "--services",
            type=int,
            default=0,
            metavar="N",
            help="Ajoute en plus N services fictifs à l'annuaire, en masse (pour les mesures de performance).",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Graine des personnes ajoutées avec --people (défaut : 0)."
        )

    def handle(self, *args, **options):
        if settings.JALON_PRODUCTION:
            raise CommandError(
                "Refusé : la démo ne se charge pas sur une base de production (DEBUG désactivé). "
                "Pour un essai, définissez DEBUG=1 ou JALON_ALLOW_DEMO=1."
            )
        if options["people"] < 0:
            raise CommandError("--people attend un nombre positif ou nul.")
        if options["services"] < 0:
            raise CommandError("--services attend un nombre positif ou nul.")
        try:
            ready = Commune.objects.exists()
        except DatabaseError:
            ready = False
        if not ready:
            raise CommandError("La base n'est pas prête : lancez d'abord « jalon migrate ».")
        from jalon.audit.actions import channel
        from jalon.demo.data import load

        started = time.monotonic()
        with channel("job"):  # no one clicked: the journal names these events "Système"
            tally = load()
        self.stdout.write("Démo chargée :")
        for key in [*LABELS, *sorted((set(tally.created) | set(tally.existing)) - set(LABELS))]:
            label = LABELS.get(key, key)
            created, existing = tally.created[key], tally.existing[key]
            self.stdout.write(f"  {label} : {created} créé(s), {existing} déjà là")
        self.stdout.write(self.style.SUCCESS(f"Terminé en {time.monotonic() - started:.1f} s."))

        if options["people"]:
            # Imported here: the demo itself must load even where the bulk generator is absent.
            from jalon.demo.bulk import bulk_people

            structure = Structure.objects.filter(name__iexact=options["structure"].strip()).first()
            if structure is None:
                raise CommandError(
                    f"Structure inconnue : « {options['structure']} ». Donnez le nom exact, "
                    'par exemple --structure POP ou --structure "Transitions 64".'
                )
            started = time.monotonic()
            count = bulk_people(
                structures=[structure], count=options["people"], seed=options["seed"], stdout=self.stdout
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{count} personne(s) ajoutée(s) à {structure.name} "
                    f"en {time.monotonic() - started:.1f} s."
                )
            )
        if options["services"]:
            from jalon.directory.bulk import bulk_services

            started = time.monotonic()
            count = bulk_services(options["services"], seed=options["seed"], stdout=self.stdout)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{count} services ajoutés à l'annuaire en {time.monotonic() - started:.0f} s."
                )
            )

from django.core.management.base import BaseCommand
from django.db import transaction

from jalon.people import crypto
from jalon.people.models import SensitiveNote


class Command(BaseCommand):
    help = "Rechiffre toutes les notes sensibles avec la première clé de JALON_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for note in (
                SensitiveNote.objects.select_for_update()
                .only("pk", "ciphertext", "category_ciphertext")
                .iterator(chunk_size=500)
            ):
                # The category is encrypted like the text: both move to the newest key.
                note.ciphertext = crypto.rotate(note.ciphertext)
                note.category_ciphertext = crypto.rotate(note.category_ciphertext)
                note.save(update_fields=["ciphertext", "category_ciphertext"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} note(s) rechiffrée(s) avec la clé la plus récente."))

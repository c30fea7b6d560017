"""Encrypt the category of existing sensitive notes with the current key (JALON_ENCRYPTION_KEYS).

Reversible: going back decrypts each category into the plain column again. Both directions need
the keys that encrypted the notes; the system check jalon.E003 (run before `migrate`) stops a
wrong or missing key before any row is touched.
"""

from django.db import migrations

from jalon.people import crypto


def encrypt_categories(apps, schema_editor):
    SensitiveNote = apps.get_model("people", "SensitiveNote")
    notes = SensitiveNote.objects.filter(category_ciphertext="").only("pk", "category")
    batch = []
    for note in notes.iterator(chunk_size=500):
        note.category_ciphertext = crypto.encrypt(note.category)
        batch.append(note)
        if len(batch) == 500:
            SensitiveNote.objects.bulk_update(batch, ["category_ciphertext"])
            batch = []
    SensitiveNote.objects.bulk_update(batch, ["category_ciphertext"])


def decrypt_categories(apps, schema_editor):
    SensitiveNote = apps.get_model("people", "SensitiveNote")
    batch = []
    for note in SensitiveNote.objects.only("pk", "category_ciphertext").iterator(chunk_size=500):
        note.category = crypto.decrypt(note.category_ciphertext)
        batch.append(note)
        if len(batch) == 500:
            SensitiveNote.objects.bulk_update(batch, ["category"])
            batch = []
    SensitiveNote.objects.bulk_update(batch, ["category"])


class Migration(migrations.Migration):
    dependencies = [("people", "0006_sensitive_note_category_ciphertext")]

    operations = [migrations.RunPython(encrypt_categories, decrypt_categories, elidable=False)]

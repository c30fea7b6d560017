"""Loads the vendored Etalab commune reference (35,014 current communes and arrondissements)."""

from django.db import migrations


def load(apps, schema_editor):
    from jalon.structures.territories import commune_fields, iter_communes

    Commune = apps.get_model("structures", "Commune")
    batch = []
    for row in iter_communes():
        batch.append(Commune(**commune_fields(row)))
        if len(batch) >= 5000:
            Commune.objects.bulk_create(batch)
            batch = []
    Commune.objects.bulk_create(batch)


def unload(apps, schema_editor):
    apps.get_model("structures", "Commune").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("structures", "0002_initial")]

    operations = [migrations.RunPython(load, unload, elidable=False)]

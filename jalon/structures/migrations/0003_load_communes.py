"""Loads the vendored Etalab commune reference (35,014 current communes and arrondissements)."""

from django.db import migrations


def load(apps, schema_editor):
    from jalon.structures.territories import iter_communes
    from jalon.text import normalize

    Commune = apps.get_model("structures", "Commune")
    batch = []
    for row in iter_communes():
        batch.append(
            Commune(
                code=row["code"],
                name=row["name"],
                search_name=normalize(row["name"]),
                is_arrondissement=row["kind"] == "A",
                departement=row["departement"],
                region=row["region"],
                epci=row["epci"],
                postcodes=row["postcodes"],
                population=row["population"],
                former_names=row["former_names"],
            )
        )
        if len(batch) >= 5000:
            Commune.objects.bulk_create(batch)
            batch = []
    Commune.objects.bulk_create(batch)


def unload(apps, schema_editor):
    apps.get_model("structures", "Commune").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("structures", "0002_initial")]

    operations = [migrations.RunPython(load, unload, elidable=False)]

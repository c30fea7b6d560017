# The retention setting moves from days (30 days to 3 years) to months within the legal bounds
# (12 to 36): each structure keeps its choice, rounded to the month and brought within the bounds.

import django.core.validators
from django.db import migrations, models


def days_to_months(apps, schema_editor):
    Structure = apps.get_model("structures", "Structure")
    for structure in Structure.objects.only("pk", "retention_days"):
        months = min(36, max(12, round(structure.retention_days / 30.44)))
        Structure.objects.filter(pk=structure.pk).update(retention_months=months)


def months_to_days(apps, schema_editor):
    Structure = apps.get_model("structures", "Structure")
    for structure in Structure.objects.only("pk", "retention_months"):
        Structure.objects.filter(pk=structure.pk).update(retention_days=round(structure.retention_months * 30.44))


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0003_load_communes"),
    ]

    operations = [
        migrations.AddField(
            model_name="structure",
            name="retention_months",
            field=models.PositiveSmallIntegerField(
                default=24,
                help_text="Entre 12 et 36 mois. La CNIL recommande 24 mois après le dernier contact.",
                validators=[
                    django.core.validators.MinValueValidator(12),
                    django.core.validators.MaxValueValidator(36),
                ],
                verbose_name="durée de conservation des dossiers sans contact (mois)",
            ),
        ),
        migrations.RunPython(days_to_months, months_to_days, elidable=True),
        migrations.RemoveField(
            model_name="structure",
            name="retention_days",
        ),
    ]

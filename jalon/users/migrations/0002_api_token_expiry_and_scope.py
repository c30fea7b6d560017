from datetime import timedelta

from django.db import migrations, models


def existing_tokens_last_a_year(apps, schema_editor):
    # Tokens issued before expiry existed keep working for a year after their creation, with the
    # read and write rights they always had.
    ApiToken = apps.get_model("users", "ApiToken")
    for token in ApiToken.objects.all().only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + timedelta(days=365))


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Lecture seule"), ("read write", "Lecture et écriture")],
                default="read write",
                max_length=20,
                verbose_name="droits",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Lecture seule"), ("read write", "Lecture et écriture")],
                default="read",
                max_length=20,
                verbose_name="droits",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expire le"),
        ),
        migrations.RunPython(existing_tokens_last_a_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expire le"),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0005_person_retention_notice_and_anonymised_at")]

    operations = [
        migrations.AddField(
            model_name="sensitivenote",
            name="category_ciphertext",
            field=models.TextField(default="", editable=False),
            preserve_default=False,
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0004_person_email_lowercase_index")]

    operations = [
        migrations.AddField(
            model_name="sensitivenote",
            name="category_ciphertext",
            field=models.TextField(default="", editable=False),
            preserve_default=False,
        ),
    ]

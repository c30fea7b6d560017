from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0007_encrypt_sensitive_note_categories")]

    operations = [
        # A default first, so that going back can re-create the column on a table that has rows
        # (0006 then writes the decrypted categories into it).
        migrations.AlterField(
            model_name="sensitivenote",
            name="category",
            field=models.CharField(
                choices=[("handicap", "Handicap"), ("sante", "Santé")],
                default="",
                max_length=10,
                verbose_name="catégorie",
            ),
        ),
        migrations.RemoveField(model_name="sensitivenote", name="category"),
    ]

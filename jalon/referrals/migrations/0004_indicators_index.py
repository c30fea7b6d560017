from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0003: on PostgreSQL, schema changes after a data update in one transaction can
    # meet pending trigger events.
    dependencies = [("referrals", "0003_indicators")]

    operations = [
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['structure', 'created_at', 'referrer', 'source', 'status', 'first_contact_minutes'], name='referral_indicators'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('first_contact_at__isnull', True), ('first_contact_minutes__isnull', True)), models.Q(('first_contact_at__isnull', False), ('first_contact_minutes__isnull', False)), _connector='OR'), name='referral_first_contact_pair'),
        ),
    ]

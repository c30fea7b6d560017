"""A service that gives no zone_eligibilite gets its commune's département as its ServiceZone row.

The territory filter then is one semi-join on ServiceZone instead of "covered, or unzoned and in
this département", which made the database look up the zones of every row it read.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def forwards(apps, schema_editor):
    Service = apps.get_model("directory", "Service")
    ServiceZone = apps.get_model("directory", "ServiceZone")
    unzoned = (
        Service.objects.exclude(Exists(ServiceZone.objects.filter(service=OuterRef("pk"))))
        .filter(commune__isnull=False)
        .values_list("pk", "commune__departement")
    )
    ServiceZone.objects.bulk_create(
        (ServiceZone(service_id=pk, code=departement) for pk, departement in unzoned.iterator()),
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    Service = apps.get_model("directory", "Service")
    ServiceZone = apps.get_model("directory", "ServiceZone")
    ServiceZone.objects.filter(service__in=Service.objects.filter(zone_eligibilite=[])).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_search_vectors"), ("structures", "0003_load_communes")]
    operations = [migrations.RunPython(forwards, backwards)]

"""`demo-data --services N`: bulk services that the search, the zones and the filters really find."""

import pytest
from django.core.management import call_command

from jalon.directory.bulk import bulk_services
from jalon.directory.models import Service, ServiceTheme, ServiceZone
from jalon.directory.search import eligible_in, search_page
from jalon.structures.models import Commune

pytestmark = pytest.mark.django_db


def test_bulk_services_are_searchable_and_zoned():
    assert bulk_services(300, seed=3) == 300
    assert Service.objects.count() == 300
    assert ServiceZone.objects.count() == 300 and ServiceTheme.objects.count() >= 300
    rows, _ = search_page(Service.objects.all(), "numériques", size=50)
    assert rows and all("numerique" in (s.search_name + s.search_body) for s in rows)
    service = Service.objects.filter(zone_eligibilite__icontains='"').first()
    commune = Commune.objects.get(code=service.commune_id)
    assert eligible_in(Service.objects.filter(pk=service.pk), commune).exists()
    # Another run adds more, with new identifiers.
    assert bulk_services(10, seed=4) == 10 and Service.objects.count() == 310


def test_command_option(capsys):
    call_command("demo-data", "--services", "25")
    assert "25 services ajoutés à l'annuaire" in capsys.readouterr().out
    assert Service.objects.filter(source="jalon-bulk").count() == 25

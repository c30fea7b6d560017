"""The demo of issue 3: RE-PAIR's network around Mourenx, Gare à idées' shared office, orientations."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from jalon.agenda.models import Appointment, Outcome, Participant, Permanence, Place
from jalon.directory.exporter import export_offer
from jalon.directory.models import GreenTheme, Service
from jalon.directory.search import search_page
from jalon.notifications.models import OutboxMessage
from jalon.referrals.models import (
    Intake,
    Orientation,
    PlanAction,
    ProspectionEntry,
    Referral,
    ReferralStatus,
    Referrer,
)
from jalon.structures.models import Commune, Structure

pytestmark = pytest.mark.django_db

MODELS = (
    Referrer,
    ProspectionEntry,
    Referral,
    Intake,
    PlanAction,
    Orientation,
    Place,
    Permanence,
    Appointment,
    Participant,
    OutboxMessage,
)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo-data", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return None


def test_repair_network_around_mourenx(demo):
    repair = Structure.objects.get(name="Transitions 64")
    referrers = Referrer.objects.filter(structure=repair)
    dormant = Referrer.objects.dormant().filter(structure=repair).count()
    assert referrers.count() >= 25 and 3 <= dormant < referrers.count() - 10
    assert referrers.filter(is_active=False).count() == 2
    assert len(set(referrers.values_list("kind", flat=True))) >= 8
    assert referrers.filter(partner_structure__name="France Travail Mourenx").exists()
    # Counters agree with the referrals.
    for referrer in referrers.annotate(n=Count("referrals")):
        assert referrer.referred_count == referrer.n
    assert ProspectionEntry.objects.filter(
        referrer__structure=repair, follow_up_on__lte=timezone.localdate(), follow_up_done_at__isnull=True
    ).exists()


def test_months_of_referrals_at_every_status(demo):
    repair = Structure.objects.get(name="Transitions 64")
    referrals = Referral.objects.filter(structure=repair)
    assert referrals.count() >= 100
    months = {d.strftime("%Y-%m") for d in referrals.values_list("created_at", flat=True)}
    assert len(months) >= 4
    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus.values)
    welcomed = referrals.filter(status__in=[ReferralStatus.WELCOMED, ReferralStatus.ORIENTED])
    assert not welcomed.filter(person__isnull=True).exists()
    assert Intake.objects.filter(structure=repair).count() >= 5
    assert PlanAction.objects.filter(structure=repair, due_on__lt=timezone.localdate(), done_at=None).exists()


def test_orientations_to_the_plie_to_pop_and_to_the_petits_debrouillards(demo):
    targets = set(Orientation.objects.values_list("target_structure__name", flat=True))
    assert {"PLIE Ouest Béarn", "POP", "Les petits débrouillards Bretagne"} <= targets
    assert len(set(Orientation.objects.values_list("status", flat=True))) >= 5


def test_gare_a_idees_shared_office(demo):
    place = Place.objects.get(structure__name="Gare à idées")
    hosts = set(place.permanences.values_list("host__name", flat=True))
    assert {
        "CRESS Nouvelle-Aquitaine",
        "France Active Nouvelle-Aquitaine",
        "Aceascop",
        "Consortium Coopérative",
    } <= hosts
    now = timezone.now()
    past = Participant.objects.filter(appointment__place=place, appointment__starts_at__lt=now)
    future = Participant.objects.filter(appointment__place=place, appointment__starts_at__gt=now)
    assert past.exists() and future.exists()
    assert not past.filter(outcome=Outcome.PENDING).exclude(appointment__kind="collectif").exists()
    assert set(future.values_list("outcome", flat=True)) == {Outcome.PENDING}
    assert past.filter(outcome=Outcome.ABSENT).exists()
    # Every appointment belongs to the structure holding the permanence.
    assert not Appointment.objects.filter(permanence__isnull=False).exclude(structure=models_host()).exists()


def models_host():
    from django.db.models import F

    return F("permanence__host")


def test_no_message_is_queued_and_a_second_run_creates_nothing(demo):
    assert not OutboxMessage.objects.exists()
    before = {m.__name__: m.objects.count() for m in MODELS}
    call_command("demo-data", stdout=StringIO())
    assert {m.__name__: m.objects.count() for m in MODELS} == before


def test_directory_demo_green_tech_trainings_initiatives_and_local_services(demo):
    trainings = Service.objects.filter(kind="formation")
    green = trainings.exclude(themes_verts=[])
    # The guide's size (seed 004): 25 trainings in Nouvelle-Aquitaine, 71 with the partners abroad.
    assert green.filter(commune__isnull=False).count() == 25 and green.count() == 71
    themes = {code for codes in green.values_list("themes_verts", flat=True) for code in codes}
    assert themes == set(GreenTheme.values)
    abroad = green.filter(commune__isnull=True)
    assert all(set(t) & {"es", "it", "pt"} for t in abroad.values_list("traductions", flat=True))
    assert Service.objects.filter(kind="initiative").count() >= 200
    # Abroad: found by words in their own language, never by a French territory.
    rows, _ = search_page(Service.objects.all(), "energias renovables")
    assert rows and all(row.commune_id is None for row in rows)
    rows, _ = search_page(
        Service.objects.all(), "energias renovables", commune=Commune.objects.get(code="64445")
    )
    assert rows == []
    # By distance: around Mourenx, the places of the Lacq basin, nearest first.
    rows, _ = search_page(
        Service.objects.all(), "", commune=Commune.objects.get(code="64410"), radius_km=20, size=100
    )
    distances = [row.distance_km for row in rows]
    assert rows and distances == sorted(distances) and max(distances) <= 20
    assert any(row.commune_id == "64300" for row in rows)
    assert trainings.filter(niveau__isnull=False, prochaines_sessions__isnull=False).exists()
    assert Service.objects.filter(nom__icontains="Développeuse web", publics__icontains='"femmes"').exists()
    for commune in ("64410", "86194", "75120", "29019", "33119"):
        assert Service.objects.filter(commune_id=commune, kind="service").count() >= 8
    ecocene = Structure.objects.get(name="Ecocène")
    exported = export_offer(ecocene)
    assert exported["services"] and all("jalon" not in item for item in exported["services"])

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import override_settings

from jalon.demo import DEMO_PASSWORD, demo_logins
from jalon.people.models import Consent, Person
from jalon.structures.models import Membership, Structure

pytestmark = pytest.mark.django_db


def counts():
    return (
        Structure.objects.count(),
        Membership.objects.count(),
        Person.objects.count(),
        Consent.objects.count(),
    )


def test_demo_is_idempotent_and_places_people_where_programmes_are(capsys):
    call_command("demo-data")
    first = counts()
    call_command("demo-data")
    assert counts() == first
    places = {
        "Transitions 64": {"64"},
        "Form'Ain Cube": {"01"},
        "Les petits débrouillards Bretagne": {"29", "35", "22"},
        "POP": {"75"},
        "Gare à idées": {"86"},
    }
    for name, departements in places.items():
        structure = Structure.objects.get(name=name)
        people_deps = set(
            Person.objects.filter(structure=structure).values_list("commune__departement", flat=True)
        )
        assert people_deps and people_deps <= departements, name
    assert {"35", "22"} <= set(
        Person.objects.filter(structure__name="Les petits débrouillards Bretagne").values_list(
            "commune__departement", flat=True
        )
    )
    oser = Person.objects.filter(structure__name="Hauts de Garonne Développement")
    assert oser.exists() and all(p.gender == "F" and 30 <= p.age <= 55 for p in oser)
    for email, _ in demo_logins():
        assert authenticate(email=email, password=DEMO_PASSWORD) is not None, email
    # One account belongs to two structures, to show the switcher.
    assert Membership.objects.filter(user__email="coord.ensemble@demo.jalon.fr").count() == 2


@override_settings(JALON_PRODUCTION=True)
def test_demo_refuses_production():
    with pytest.raises(CommandError, match="production"):
        call_command("demo-data")
    assert not Structure.objects.exists()


def test_people_option_adds_volume():
    call_command("demo-data")
    before = Person.objects.filter(structure__name="POP").count()
    call_command("demo-data", people=300)
    assert Person.objects.filter(structure__name="POP").count() == before + 300

import pytest
from django.core.exceptions import ValidationError

from jalon.structures import communes
from jalon.structures.models import Commune
from jalon.structures.validators import luhn_ok, validate_siret


def make_siret(prefix13: str) -> str:
    for digit in "0123456789":
        if luhn_ok(prefix13 + digit):
            return prefix13 + digit
    raise AssertionError


def test_valid_siret_passes_and_spaces_are_tolerated():
    siret = make_siret("1234567890123")
    validate_siret(siret)
    validate_siret(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")


@pytest.mark.parametrize("value", ["123", "1234567890123a", "12345678901234567"])
def test_siret_format_errors_are_in_french(value):
    with pytest.raises(ValidationError) as error:
        validate_siret(value)
    assert "14 chiffres" in error.value.messages[0]


def test_siret_with_wrong_key_is_refused():
    siret = make_siret("1234567890123")
    wrong = siret[:-1] + str((int(siret[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        validate_siret(wrong)
    assert "clé de contrôle" in error.value.messages[0]


def test_la_poste_exception():
    # La Poste's establishments use "sum of digits divisible by 5" instead of Luhn.
    validate_siret("35600000000048")  # head office, Luhn
    valid = next(
        f"356000000{n:05d}" for n in range(10000, 99999) if sum(map(int, f"356000000{n:05d}")) % 5 == 0
    )
    validate_siret(valid)
    invalid = next(
        f"356000000{n:05d}"
        for n in range(10000, 99999)
        if sum(map(int, f"356000000{n:05d}")) % 5 and not luhn_ok(f"356000000{n:05d}")
    )
    with pytest.raises(ValidationError):
        validate_siret(invalid)


@pytest.mark.django_db
def test_commune_reference_is_loaded():
    assert Commune.objects.count() == 35014
    mourenx = Commune.objects.get(code="64410")
    assert mourenx.name == "Mourenx"
    assert mourenx.departement_name == "Pyrénées-Atlantiques"
    assert mourenx.region_name == "Nouvelle-Aquitaine"
    assert mourenx.epci and mourenx.epci_name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, code",
    [
        ("Mourenx (64150) — 64410", "64410"),
        ("64410", "64410"),
        ("ambérieu-en-bugey", "01004"),
        ("AMBERIEU EN BUGEY", "01004"),
        ("29200", "29019"),
    ],
)
def test_commune_resolution(typed, code):
    assert communes.resolve(typed).code == code


@pytest.mark.django_db
def test_ambiguous_or_unknown_commune_is_none():
    assert communes.resolve("Saint-Martin") is None  # dozens of communes
    assert communes.resolve("Nulle-Part-sur-Mer") is None


@pytest.mark.django_db
def test_suggestions_ignore_accents_and_rank_by_population():
    names = [c.name for c in communes.suggest("rennes")]
    assert names[0] == "Rennes"
    assert [c.name for c in communes.suggest("brest")][0] == "Brest"

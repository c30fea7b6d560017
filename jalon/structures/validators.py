import re

from django.core.exceptions import ValidationError

# La Poste's establishments are the one documented exception to the Luhn rule.
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_siret(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def validate_siret(value: str) -> None:
    siret = normalize_siret(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError("Le SIRET doit comporter 14 chiffres.", code="siret_format")
    if siret.startswith(LA_POSTE_SIREN):
        # La Poste's head office passes Luhn; its other establishments use "sum of digits % 5".
        if not luhn_ok(siret) and sum(int(c) for c in siret) % 5 != 0:
            raise ValidationError("Ce SIRET n'est pas valide (clé de contrôle).", code="siret_checksum")
        return
    if not luhn_ok(siret):
        raise ValidationError("Ce SIRET n'est pas valide (clé de contrôle).", code="siret_checksum")

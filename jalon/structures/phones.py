import phonenumbers
from django.core.exceptions import ValidationError


def to_e164(raw: str, region: str = "FR") -> str:
    """Normalise a phone number to E.164 (+33612345678). Empty stays empty."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Ce numéro de téléphone n'est pas reconnu.", code="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Ce numéro de téléphone n'est pas valide.", code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

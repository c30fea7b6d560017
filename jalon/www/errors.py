"""Put a domain ValidationError onto a Django form, field by field when it can."""

from django.core.exceptions import ValidationError


def add_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)

"""Errors shown to people: a domain ValidationError onto a form, the refusal page of a public link."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from jalon.links import REFUSALS


def add_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def refused(request, reason: str):
    """The plain page of a refused public link: 404 when altered, 410 when revoked, expired, done."""
    refusal = REFUSALS[reason]
    status = 404 if reason == "altere" else 410
    return render(request, "public/refused.html", {"refusal": refusal}, status=status)

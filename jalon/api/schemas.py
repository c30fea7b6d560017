"""Schemas shared by the routers, and the rules every input of the API goes through.

PostgreSQL refuses what SQLite stores silently (a NUL byte, a string longer than its column, a
year the `date` type cannot hold): each of these was a 500 on PostgreSQL only. Inputs are checked
here, before any query, so both databases answer the same JSON 422 in French.
"""

import re
from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import models
from ninja import Schema
from pydantic import AfterValidator, EmailStr, Field, field_validator

from jalon.people.models import (
    Channel,
    ConsentMethod,
    EducationLevel,
    EmploymentStatus,
    Gender,
    Person,
)

# A sane range for every date the API reads: far enough for birth dates and funder periods,
# well inside what Python, SQLite and PostgreSQL can all hold and compute with (± a few days).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
# Database integers are 64-bit (BigAutoField); Python's are not bounded.
INT_MAX = 2**63 - 1
# TextFields have no length in the model: a generous bound so one request cannot fill the disk.
TEXT_MAX = 10_000
# C0 controls but tab, line feed and carriage return (multi-line notes), and DEL. PostgreSQL
# rejects NUL outright; the others have no place in a name or a note and break CSV and SMS.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def max_length(model: type[models.Model], field: str) -> int:
    """The column's length, read from the model so that a migration changes it in one place."""
    found = model._meta.get_field(field)
    return found.max_length or TEXT_MAX


def text(model: type[models.Model], field: str, default=..., **kwargs):
    """A pydantic Field bounded by the model column of the same meaning."""
    return Field(default, max_length=max_length(model, field), **kwargs)


def check_value(value):
    """The rules of every input value, whatever its field: raise ValueError with a French message."""
    if isinstance(value, str):
        if CONTROL_CHARACTERS.search(value):
            raise ValueError("Le texte contient un caractère de contrôle (invisible) interdit.")
    elif isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        if not DATE_MIN <= day <= DATE_MAX:
            raise ValueError(
                f"La date doit être comprise entre le {DATE_MIN:%d/%m/%Y} et le {DATE_MAX:%d/%m/%Y}."
            )
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -INT_MAX <= value <= INT_MAX:
            raise ValueError("Ce nombre est trop grand.")
    elif isinstance(value, list | tuple | set):
        for item in value:
            check_value(item)
    return value


def _email(value: str) -> str:
    # Django's validator, as the pages' forms and the models use: the API accepts the same addresses.
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Cette adresse e-mail n'est pas valide.") from None
    return value


# An e-mail address, or "" for none.
Email = Annotated[str, AfterValidator(_email)]


class Input(Schema):
    """Base of every schema the API reads (bodies and query filters)."""

    @field_validator("*", mode="after")
    @classmethod
    def _sane(cls, value):
        return check_value(value)


class StructureOut(Schema):
    id: int
    name: str
    kind: str
    siret: str
    commune: str | None = Field(None, description="Code INSEE de la commune")
    role: str
    current: bool


class PersonOut(Schema):
    id: int
    structure_id: int
    referent_id: int | None
    first_name: str
    last_name: str
    birth_date: date | None
    gender: str
    phone: str = Field(description="Téléphone au format E.164")
    email: str
    preferred_channel: str
    commune: str | None = Field(None, description="Code INSEE")
    employment_status: str
    france_travail_since: date | None
    long_term_unemployed: bool
    rsa: bool
    ass: bool
    aah: bool
    rqth: bool
    qpv: bool
    education_level: str
    age_band: str
    has_smartphone: bool | None
    has_computer: bool | None
    has_internet: bool | None
    languages: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_commune(obj):
        return obj.commune_id


class PersonPatch(Input):
    first_name: str | None = text(Person, "first_name", None, min_length=1)
    last_name: str | None = text(Person, "last_name", None, min_length=1)
    birth_date: date | None = None
    gender: Gender | None = None
    phone: str | None = None
    email: EmailStr | None = text(Person, "email", None)
    preferred_channel: Channel | None = None
    commune: str | None = Field(None, description="Code INSEE")
    referent_id: int | None = None
    employment_status: EmploymentStatus | None = None
    france_travail_since: date | None = None
    long_term_unemployed: bool | None = None
    rsa: bool | None = None
    ass: bool | None = None
    aah: bool | None = None
    rqth: bool | None = None
    qpv: bool | None = None
    education_level: EducationLevel | None = None
    has_smartphone: bool | None = None
    has_computer: bool | None = None
    has_internet: bool | None = None
    languages: str | None = text(Person, "languages", None)

    @field_validator("birth_date")
    @classmethod
    def birth_date_in_past(cls, value):
        if value is not None and (value > date.today() or value.year < 1900):
            raise ValueError("La date de naissance n'est pas plausible.")
        return value


class PersonIn(PersonPatch):
    first_name: str = text(Person, "first_name", min_length=1)
    last_name: str = text(Person, "last_name", min_length=1)
    consent_method: ConsentMethod = Field(
        description="Comment la personne a donné son accord d'accompagnement (obligatoire)."
    )
    force: bool = Field(False, description="Créer même si un dossier semblable existe déjà.")


class ErrorOut(Schema):
    detail: str


class DuplicateOut(Schema):
    detail: str
    existing_ids: list[int]

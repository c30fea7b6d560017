from datetime import date, datetime

from ninja import Schema
from pydantic import EmailStr, Field, field_validator

from jalon.people.models import (
    Channel,
    ConsentMethod,
    EducationLevel,
    EmploymentStatus,
    Gender,
)


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


class PersonPatch(Schema):
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    birth_date: date | None = None
    gender: Gender | None = None
    phone: str | None = None
    email: EmailStr | None = None
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
    languages: str | None = Field(None, max_length=200)

    @field_validator("birth_date")
    @classmethod
    def birth_date_in_past(cls, value):
        if value is not None and (value > date.today() or value.year < 1900):
            raise ValueError("La date de naissance n'est pas plausible.")
        return value


class PersonIn(PersonPatch):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    consent_method: ConsentMethod = Field(
        description="Comment la personne a donné son accord d'accompagnement (obligatoire)."
    )
    force: bool = Field(False, description="Créer même si un dossier semblable existe déjà.")


class ErrorOut(Schema):
    detail: str


class DuplicateOut(Schema):
    detail: str
    existing_ids: list[int]

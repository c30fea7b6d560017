import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import territories
from .validators import validate_siret


class OwnedQuerySet(models.QuerySet):
    """Rows that belong to one structure through a foreign key (`structure_path` leads to it)."""

    structure_path = "structure"

    def for_structure(self, structure):
        if structure is None:
            return self.none()
        return self.filter(**{self.structure_path: structure})


class Commune(models.Model):
    """A current French commune or municipal arrondissement (Etalab reference, INSEE code)."""

    code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=120)
    search_name = models.CharField(max_length=120, db_index=True)
    is_arrondissement = models.BooleanField(default=False)
    departement = models.CharField(max_length=3, db_index=True)
    region = models.CharField(max_length=3, db_index=True)
    epci = models.CharField(max_length=9, blank=True, db_index=True)
    postcodes = models.CharField(max_length=200, blank=True)
    population = models.PositiveIntegerField(default=0)
    former_names = models.TextField(blank=True)

    class Meta:
        verbose_name = _("commune")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.departement})"

    @property
    def departement_name(self) -> str:
        return territories.departement_name(self.departement)

    @property
    def region_name(self) -> str:
        return territories.region_name(self.region)

    @property
    def epci_name(self) -> str:
        return territories.epci_name(self.epci)


class StructureKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    ACI = "aci", _("SIAE — Atelier et chantier d'insertion (ACI)")
    AI = "ai", _("SIAE — Association intermédiaire (AI)")
    EI = "ei", _("SIAE — Entreprise d'insertion (EI)")
    ETTI = "etti", _("SIAE — Entreprise de travail temporaire d'insertion (ETTI)")
    EITI = "eiti", _("SIAE — Entreprise d'insertion par le travail indépendant (EITI)")
    PLIE = "plie", _("PLIE")
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    FRANCE_TRAVAIL = "france_travail", _("Agence France Travail")
    TRAINING = "organisme_formation", _("Organisme de formation")
    SCHOOL = "etablissement_scolaire", _("Établissement scolaire ou d'enseignement")
    COMPANY = "entreprise", _("Entreprise")
    LOCAL_AUTHORITY = "collectivite", _("Collectivité territoriale")
    NETWORK = "reseau", _("Réseau ou fédération")
    INFORMAL = "capteur", _("Commerce ou autre relais informel")


SIAE_KINDS = {StructureKind.ACI, StructureKind.AI, StructureKind.EI, StructureKind.ETTI, StructureKind.EITI}


class Structure(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de structure"), max_length=32, choices=StructureKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    partners = models.ManyToManyField(
        "self", through="Partnership", symmetrical=False, related_name="+", blank=True
    )
    # Months without contact before a file is anonymised (CNIL: 2 years in the live database).
    # Bounds in jalon.people.retention; validated there and on the settings page.
    retention_months = models.PositiveSmallIntegerField(
        _("durée de conservation des dossiers sans contact (mois)"),
        default=settings.JALON_RETENTION_MONTHS,
        validators=[MinValueValidator(12), MaxValueValidator(36)],
        help_text=_("Entre 12 et 36 mois. La CNIL recommande 24 mois après le dernier contact."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("structure")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="structure_unique_name_ci")]

    def __str__(self):
        return self.name

    @property
    def phone_display(self) -> str:
        from .phones import display

        return display(self.phone)

    def partner_structures(self):
        return Structure.objects.filter(
            models.Q(partnerships_in__source=self) | models.Q(partnerships_out__target=self)
        ).distinct()


class Partnership(models.Model):
    """Two structures working together (stored once, in either direction)."""

    source = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="partnerships_out")
    target = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="partnerships_in")
    description = models.CharField(_("objet du partenariat"), max_length=255, blank=True)
    since = models.DateField(_("depuis"), null=True, blank=True)

    class Meta:
        verbose_name = _("partenariat")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="partnership_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="partnership_not_self"
            ),
        ]


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur·rice de structure")
    CASE_WORKER = "accompagnateur", _("Accompagnateur·rice")
    TRAINER = "formateur", _("Formateur·rice")
    COORDINATOR = "coordinateur", _("Coordinateur·rice")
    READ_ONLY = "lecture", _("Lecture seule")


# What each role may do; views and the API ask these, never the role names directly.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: {
        "people.view",
        "people.edit",
        "consent.edit",
        "structure.manage",
        "audit.view",
        "programmes.manage",
        "attendance.take",
        "people.erase",
    },
    Role.CASE_WORKER: {"people.view", "people.edit", "consent.edit", "attendance.take"},
    # Erasure (RGPD art. 17) is decided by the structure's admin or coordination, not every case worker.
    Role.COORDINATOR: {
        "people.view",
        "people.edit",
        "consent.edit",
        "programmes.manage",
        "attendance.take",
        "people.erase",
    },
    Role.TRAINER: {"people.view", "attendance.take"},
    Role.READ_ONLY: {"people.view"},
}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.CASE_WORKER)
    need_to_know = models.BooleanField(
        _("accès aux informations sensibles"),
        default=False,
        help_text=_("Handicap et santé : seulement pour les personnes qui en ont besoin pour accompagner."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membre")
        constraints = [models.UniqueConstraint(fields=["user", "structure"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.structure} ({self.get_role_display()})"

    def can(self, permission: str) -> bool:
        return self.is_active and permission in ROLE_PERMISSIONS.get(self.role, set())


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Invitation(models.Model):
    VALIDITY = timedelta(days=14)

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")

    @staticmethod
    def new_token() -> tuple[str, str]:
        raw = secrets.token_urlsafe(24)
        return raw, _hash(raw)

    @classmethod
    def find_valid(cls, raw: str):
        invitation = cls.objects.select_related("structure").filter(token_hash=_hash(raw)).first()
        if invitation is None or not invitation.is_pending:
            return None
        return invitation

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and timezone.now() < self.created_at + self.VALIDITY
        )

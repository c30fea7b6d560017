from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.structures.models import Commune, Structure
from jalon.text import normalize

from . import crypto


class Gender(models.TextChoices):
    FEMALE = "F", _("Femme")
    MALE = "M", _("Homme")
    OTHER = "X", _("Autre ou non précisé")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Appel téléphonique")
    MAIL = "courrier", _("Courrier")


class EmploymentStatus(models.TextChoices):
    # FSE+ "situation sur le marché du travail" à l'entrée.
    UNEMPLOYED = "chomeur", _("Demandeur·se d'emploi")
    INACTIVE = "inactif", _("Inactif·ve (ni en emploi, ni en recherche)")
    EMPLOYED = "emploi", _("En emploi (y compris contrat aidé)")
    STUDENT = "etudes", _("En études ou en formation")


class EducationLevel(models.TextChoices):
    # French levels, grouped for FSE+ into ISCED 0-2, 3-4, 5-8.
    NONE = "infra3", _("Sans diplôme ou brevet (CITE 0 à 2)")
    CAP = "3", _("CAP, BEP (niveau 3, CITE 3)")
    BAC = "4", _("Baccalauréat (niveau 4, CITE 3-4)")
    BAC2 = "5", _("Bac +2 (niveau 5, CITE 5)")
    BAC3 = "6", _("Licence, bac +3 (niveau 6, CITE 6)")
    BAC5 = "7", _("Master ou plus (niveau 7-8, CITE 7-8)")


ISCED_GROUP = {
    "infra3": "CITE 0-2",
    "3": "CITE 3-4",
    "4": "CITE 3-4",
    "5": "CITE 5-8",
    "6": "CITE 5-8",
    "7": "CITE 5-8",
}


class AgeBand(models.TextChoices):
    UNDER_25 = "-25", _("Moins de 25 ans")
    FROM_25_TO_54 = "25-54", _("25 à 54 ans")
    OVER_54 = "55+", _("55 ans et plus")


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def age_band(birth_date: date | None, today: date | None = None) -> str:
    if birth_date is None:
        return ""
    age = age_on(birth_date, today or timezone.localdate())
    if age < 25:
        return AgeBand.UNDER_25
    if age > 54:
        return AgeBand.OVER_54
    return AgeBand.FROM_25_TO_54


class PersonQuerySet(models.QuerySet):
    def owned_by(self, structure):
        """People whose referent structure is `structure` (the list page)."""
        if structure is None:
            return self.none()
        return self.filter(structure=structure)

    def shared_with(self, structure):
        """People of other structures who consented to share their file with `structure`."""
        if structure is None:
            return self.none()
        # pk IN (…) starts from the sharing-consent index (a few rows), not from every person.
        shared = Consent.objects.active_sharing_with(structure).values("person_id")
        return self.filter(pk__in=shared).exclude(structure=structure)

    def for_structure(self, structure):
        """Every file `structure` may open: its own, and those shared with it by consent."""
        if structure is None:
            return self.none()
        shared = Consent.objects.active_sharing_with(structure).values("person_id")
        return self.filter(models.Q(structure=structure) | models.Q(pk__in=shared))


class Person(models.Model):
    structure = models.ForeignKey(
        Structure, verbose_name=_("structure référente"), on_delete=models.PROTECT, related_name="people"
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référent·e"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_people",
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    gender = models.CharField(_("genre"), max_length=1, choices=Gender.choices, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("moyen de contact préféré"), max_length=10, choices=Channel.choices, blank=True
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Situation at entry (FSE+ participant fields).
    employment_status = models.CharField(
        _("situation face à l'emploi"), max_length=10, choices=EmploymentStatus.choices, blank=True
    )
    france_travail_since = models.DateField(_("inscrit·e à France Travail depuis"), null=True, blank=True)
    long_term_unemployed = models.BooleanField(
        _("demandeur·se d'emploi de longue durée (12 mois et plus)"), default=False
    )
    rsa = models.BooleanField(_("bénéficiaire du RSA"), default=False)
    ass = models.BooleanField(_("bénéficiaire de l'ASS"), default=False)
    aah = models.BooleanField(_("bénéficiaire de l'AAH"), default=False)
    rqth = models.BooleanField(_("reconnaissance de travailleur handicapé (RQTH)"), default=False)
    qpv = models.BooleanField(_("habite un quartier prioritaire (QPV)"), default=False)
    education_level = models.CharField(
        _("niveau de diplôme"), max_length=10, choices=EducationLevel.choices, blank=True
    )
    # Equipment and connectivity: None means "not asked yet".
    has_smartphone = models.BooleanField(_("a un smartphone"), null=True, blank=True)
    has_computer = models.BooleanField(_("a un ordinateur"), null=True, blank=True)
    has_internet = models.BooleanField(_("a internet à la maison"), null=True, blank=True)
    languages = models.CharField(_("langues parlées"), max_length=200, blank=True)

    search_name = models.CharField(max_length=210, editable=False)
    search_name_alt = models.CharField(max_length=210, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    last_contact_at = models.DateTimeField(default=timezone.now, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Retention (jalon.people.retention): when the referent was told the file will be anonymised,
    # and when it was. A notice older than the last contact no longer counts (the file was touched).
    retention_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne accompagnée")
        verbose_name_plural = _("personnes accompagnées")
        indexes = [
            models.Index(fields=["structure", "search_name", "id"], name="person_struct_name"),
            models.Index(fields=["structure", "search_name_alt", "id"], name="person_struct_name_alt"),
            models.Index(fields=["structure", "phone"], name="person_struct_phone"),
            models.Index(fields=["structure", "email"], name="person_struct_email"),
            models.Index(fields=["structure", "birth_date"], name="person_struct_birth"),
            models.Index(fields=["referent", "search_name"], name="person_referent_name"),
            # Home page "à faire": a case worker's files not contacted since a date (range scan,
            # stops at the capped count instead of reading every file of the structure).
            models.Index(fields=["structure", "referent", "last_contact_at"], name="person_referent_contact"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        # Stored lower-case so an e-mail search is an exact match on an index.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def phone_display(self) -> str:
        from jalon.structures.phones import display

        return display(self.phone)

    @property
    def age_band(self) -> str:
        return age_band(self.birth_date)

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, timezone.localdate()) if self.birth_date else None

    def refresh_search_fields(self):
        self.search_name = normalize(f"{self.last_name} {self.first_name}")
        self.search_name_alt = normalize(f"{self.first_name} {self.last_name}")


class ConsentPurpose(models.TextChoices):
    ACCOMPANIMENT = "accompagnement", _("Être accompagné·e par la structure")
    SHARING = "partage", _("Partager mon dossier avec une autre structure")
    CONTACT_SMS = "contact_sms", _("Être contacté·e par SMS")
    CONTACT_EMAIL = "contact_email", _("Être contacté·e par e-mail")
    STATISTICS = "statistiques", _("Figurer dans les statistiques anonymes")
    TESTIMONY = "temoignage", _("Témoignage : photo ou vidéo")


class ConsentMethod(models.TextChoices):
    ORAL = "oral", _("À l'oral, noté par l'accompagnateur·rice")
    PAPER = "papier", _("Sur papier signé")
    ONLINE = "en_ligne", _("En ligne")


# The text the person agrees to, by purpose; a new wording gets a new version.
CONSENT_TEXTS = {
    ConsentPurpose.ACCOMPANIMENT: (
        "2026-11",
        "J'accepte que la structure garde les informations de mon dossier pour m'accompagner. "
        "Je peux les voir, les corriger ou demander leur suppression à tout moment.",
    ),
    ConsentPurpose.SHARING: (
        "2026-11",
        "J'accepte que mon dossier soit visible par la structure nommée, pour m'accompagner. "
        "Je peux retirer mon accord à tout moment : elle n'y aura plus accès.",
    ),
    ConsentPurpose.CONTACT_SMS: (
        "2026-11",
        "J'accepte de recevoir des SMS de la structure (rendez-vous, rappels).",
    ),
    ConsentPurpose.CONTACT_EMAIL: ("2026-11", "J'accepte de recevoir des e-mails de la structure."),
    ConsentPurpose.STATISTICS: (
        "2026-11",
        "J'accepte que ma situation soit comptée dans des statistiques anonymes, où personne ne peut me reconnaître.",
    ),
    ConsentPurpose.TESTIMONY: (
        "2026-11",
        "J'accepte que ma photo ou une vidéo de moi soit utilisée pour présenter le programme.",
    ),
}


class ConsentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)

    def active_sharing_with(self, structure):
        return self.active().filter(purpose=ConsentPurpose.SHARING, target_structure=structure)


class Consent(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("objet"), max_length=20, choices=ConsentPurpose.choices)
    target_structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure destinataire"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shared_consents",
    )
    method = models.CharField(_("recueilli"), max_length=10, choices=ConsentMethod.choices)
    text_version = models.CharField(_("version du texte"), max_length=20)
    given_at = models.DateTimeField(_("donné le"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consentement")
        indexes = [
            models.Index(fields=["target_structure", "purpose", "withdrawn_at"], name="consent_sharing"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(purpose="partage", target_structure__isnull=False) | ~models.Q(purpose="partage")
                ),
                name="consent_sharing_needs_target",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def text(self) -> str:
        return CONSENT_TEXTS.get(self.purpose, ("", ""))[1]


class SensitiveCategory(models.TextChoices):
    DISABILITY = "handicap", _("Handicap")
    HEALTH = "sante", _("Santé")


class SensitiveNote(models.Model):
    """Health data (CNIL): encrypted at rest, read on a need-to-know basis, every read audited."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sensitive_notes")
    # The category is health data too ("santé" next to a name says enough): encrypted like the
    # text, so nothing can filter or count notes by category in the database. Read and write it
    # through `category`; `SensitiveNote(category=…)` works as for a field.
    category_ciphertext = models.TextField(editable=False)
    ciphertext = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note sensible")
        ordering = ["-created_at"]

    @property
    def text(self) -> str:
        return crypto.decrypt(self.ciphertext)

    def set_text(self, text: str) -> None:
        self.ciphertext = crypto.encrypt(text)

    @property
    def category(self) -> str:
        return crypto.decrypt(self.category_ciphertext) if self.category_ciphertext else ""

    @category.setter
    def category(self, value: str) -> None:
        if value not in SensitiveCategory.values:
            raise ValueError(f"Catégorie de note sensible inconnue : {value!r}.")
        self.category_ciphertext = crypto.encrypt(str(value))

    def get_category_display(self) -> str:
        category = self.category
        return str(SensitiveCategory(category).label) if category else ""


class PersonEvent(models.Model):
    """One line of the person's timeline: what happened in their journey (not who read what)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events")
    structure = models.ForeignKey(Structure, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=40)
    label = models.CharField(max_length=255)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-occurred_at"], name="personevent_timeline"),
            # Home page "mes dernières actions": the latest 8 without sorting the structure's history.
            models.Index(
                fields=["structure", "actor", "-occurred_at", "-id"], name="personevent_actor_recent"
            ),
        ]

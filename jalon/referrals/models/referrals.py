"""Referrals: needs, the triage statuses and their workflow, the inbox search, the history."""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.people.models import Person
from jalon.structures.models import Commune, OwnedQuerySet, Structure

from .referrers import Referrer, new_key


class Need(models.TextChoices):
    """Plain-language needs a referrer or a person can tick; the intake uses the same domains."""

    EMPLOYMENT = "emploi", _("Trouver un emploi")
    TRAINING = "formation", _("Se former")
    DIGITAL = "numerique", _("Se servir d'un ordinateur ou d'un smartphone")
    HOUSING = "logement", _("Se loger")
    HEALTH = "sante", _("Santé")
    MOBILITY = "mobilite", _("Se déplacer (permis, transport)")
    BUDGET = "budget", _("Budget, dettes")
    FAMILY = "famille", _("Famille, garde d'enfants")
    RIGHTS = "droits", _("Droits et papiers administratifs")
    LANGUAGE = "langue", _("Parler, lire ou écrire le français")
    BUSINESS = "creation", _("Créer son activité")


class ReferralStatus(models.TextChoices):
    NEW = "nouvelle", _("Nouvelle")
    CONTACTED = "contactee", _("Contactée")
    APPOINTMENT = "rdv", _("Rendez-vous fixé")
    WELCOMED = "accueillie", _("Accueillie")
    ORIENTED = "orientee", _("Orientée")
    CLOSED = "sans_suite", _("Sans suite")


# Statuses a referral may move to from each status (the triage workflow).
REFERRAL_TRANSITIONS = {
    # A person may walk in before anyone called them back: nouvelle → accueillie is allowed.
    ReferralStatus.NEW: {
        ReferralStatus.CONTACTED,
        ReferralStatus.APPOINTMENT,
        ReferralStatus.WELCOMED,
        ReferralStatus.CLOSED,
    },
    ReferralStatus.CONTACTED: {ReferralStatus.APPOINTMENT, ReferralStatus.WELCOMED, ReferralStatus.CLOSED},
    ReferralStatus.APPOINTMENT: {
        ReferralStatus.CONTACTED,
        ReferralStatus.WELCOMED,
        ReferralStatus.CLOSED,
    },
    ReferralStatus.WELCOMED: {ReferralStatus.ORIENTED, ReferralStatus.CLOSED},
    ReferralStatus.ORIENTED: set(),
    ReferralStatus.CLOSED: {ReferralStatus.NEW},
}
# The inbox's "à traiter": in this order everywhere, so PostgreSQL matches the partial index below.
OPEN_STATUSES = [ReferralStatus.NEW, ReferralStatus.CONTACTED, ReferralStatus.APPOINTMENT]

REACHED = {
    ReferralStatus.CONTACTED,
    ReferralStatus.APPOINTMENT,
    ReferralStatus.WELCOMED,
    ReferralStatus.ORIENTED,
}
ACCOMPANIED = {ReferralStatus.WELCOMED, ReferralStatus.ORIENTED}


class ClosedReason(models.TextChoices):
    UNREACHABLE = "injoignable", _("Injoignable")
    DECLINED = "refus", _("La personne ne souhaite pas être accompagnée")
    ALREADY_FOLLOWED = "deja_suivie", _("Déjà accompagnée ailleurs")
    OUT_OF_SCOPE = "hors_champ", _("Hors de notre champ ou de notre territoire")
    DUPLICATE = "doublon", _("Doublon")
    OTHER = "autre", _("Autre raison")


class ReferralSource(models.TextChoices):
    LINK = "lien", _("Lien du relais")
    SELF = "auto", _("La personne elle-même")
    STAFF = "equipe", _("Saisie par l'équipe")
    API = "api", _("API")


PHONE_LIKE = re.compile(r"^[\d\s.+()/-]+$")


def national_digits(query: str) -> str | None:
    """The digits of a French number as typed ("06 12 34 56 78", "+33 6…", "0033 6…", "06.12"),
    without the trunk 0 or the country code, or None when the query is not a phone number."""
    if not PHONE_LIKE.match(query):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) < 4:
        return None
    if digits.startswith("0033"):
        digits = digits[4:]
    elif query.lstrip().startswith("+") and digits.startswith("33"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    return digits


class ReferralQuerySet(OwnedQuerySet):
    def matching(self, query: str):
        """Name or phone search of the inbox: accents, case and the phone's format do not matter.

        A whole number is one lookup on the (structure, phone) index; part of a number or of a
        name (each word must start a word of "nom prénom") scans the structure's referrals only.
        """
        query = (query or "").strip()[:100]
        if not query:
            return self
        digits = national_digits(query)
        if digits is not None:
            if len(digits) == 9:
                return self.filter(phone=f"+33{digits}")
            return self.filter(phone__contains=digits)
        from jalon.text import normalize

        # Each word starts a word of the name: "adele" finds Adèle, not Madeleine.
        queryset = self
        for word in normalize(query).split()[:5]:
            queryset = queryset.filter(
                models.Q(search_name__startswith=word) | models.Q(search_name__contains=f" {word}")
            )
        return queryset


class Referral(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="referrals")
    referrer = models.ForeignKey(
        Referrer, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    source = models.CharField(_("origine"), max_length=10, choices=ReferralSource.choices)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # "nom prénom", lower-case without accents: the inbox search reads it on SQLite as on PostgreSQL.
    search_name = models.CharField(max_length=210, blank=True, editable=False)
    # Asked during the first call, to recognise a person already known (name + birth date).
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    needs = models.JSONField(_("besoins"), default=list, blank=True)
    message = models.TextField(_("message de la personne"), blank=True)
    referrer_note = models.TextField(_("note du relais"), blank=True)
    best_time = models.CharField(_("meilleur moment pour appeler"), max_length=100, blank=True)
    # The person agreed to be contacted (required), and perhaps to let the referrer know the outcome.
    contact_consent_at = models.DateTimeField(_("accord pour être contacté·e"))
    consent_text_version = models.CharField(max_length=20)
    share_outcome = models.BooleanField(_("accord pour informer le relais de la suite"), default=False)
    status = models.CharField(_("statut"), max_length=12, choices=ReferralStatus.choices, default="nouvelle")
    closed_reason = models.CharField(
        _("motif sans suite"), max_length=12, choices=ClosedReason.choices, blank=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suivie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_referrals",
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    # Random, shown to nobody: lets the referrer's follow-up page list statuses without ids.
    public_key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    first_contact_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Minutes from arrival to first contact, kept with first_contact_at: the indicators take its
    # median from an index instead of computing a date difference on every row.
    first_contact_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation reçue (repérage)")
        verbose_name_plural = _("repérages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["structure", "status", "-created_at", "-id"], name="referral_inbox"),
            # "À traiter" newest first: with an IN list, the index above cannot give the order and
            # PostgreSQL sorted every open referral (190 ms at 100,000); this one reads 26 entries.
            models.Index(
                fields=["structure", "-created_at", "-id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="referral_inbox_open",
            ),
            models.Index(fields=["structure", "-created_at", "-id"], name="referral_recent"),
            models.Index(fields=["structure", "assigned_to", "status"], name="referral_assigned"),
            # A referrer's referrals newest first, and (SQLite skip-scanning the referrers) the
            # indicators' per-referrer counts over a period, both read from the index alone.
            models.Index(
                fields=["referrer", "created_at", "structure", "source", "status", "first_contact_minutes"],
                name="referral_by_referrer",
            ),
            models.Index(fields=["structure", "phone"], name="referral_phone"),
            # Covers the indicators' grouped count over a period: no table access.
            models.Index(
                fields=["structure", "created_at", "referrer", "source", "status", "first_contact_minutes"],
                name="referral_indicators",
            ),
            # The median delay over a long period: the monthly histograms (ReferralDelayMonth) say
            # which hour holds the middle rank; this index then reads that hour's few referrals in
            # order instead of sorting the whole period.
            models.Index(fields=["structure", "first_contact_minutes", "created_at"], name="referral_delay"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_contact_at__isnull=True, first_contact_minutes__isnull=True)
                | models.Q(first_contact_at__isnull=False, first_contact_minutes__isnull=False),
                name="referral_first_contact_pair",
            )
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    def refresh_search_fields(self) -> None:
        from jalon.text import normalize

        self.search_name = normalize(f"{self.last_name} {self.first_name}")

    @property
    def phone_display(self) -> str:
        from jalon.structures.phones import display

        return display(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status not in {ReferralStatus.ORIENTED, ReferralStatus.CLOSED, ReferralStatus.WELCOMED}

    @property
    def needs_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels.get(code, code)) for code in self.needs]

    def can_move_to(self, status: str) -> bool:
        return status in REFERRAL_TRANSITIONS.get(self.status, set())

    def set_first_contact(self, at) -> None:
        self.first_contact_at = at
        self.first_contact_minutes = max(int((at - self.created_at).total_seconds() // 60), 0)


class ReferralEventQuerySet(models.QuerySet):
    def for_structure(self, structure):
        """The history of the structure's referrals."""
        if structure is None:
            return self.none()
        return self.filter(referral__structure=structure)


class ReferralEvent(models.Model):
    """The referral's history: each status change, assignment or call, with who and when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    label = models.CharField(max_length=255)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = ReferralEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

"""Referrers (capteurs, partners) and the facilitator's prospection log."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.structures.models import Commune, OwnedQuerySet, Structure


def new_key() -> str:
    return secrets.token_urlsafe(18)


class ReferrerKind(models.TextChoices):
    PARTNER = "partenaire", _("Structure partenaire (prescripteur)")
    SHOP = "commerce", _("Commerce")
    CAFE = "cafe", _("Bar, café, restaurant")
    ESTATE_AGENT = "agence_immobiliere", _("Agence immobilière")
    TEMP_AGENCY = "interim", _("Agence d'intérim")
    CHARITY = "caritatif", _("Association caritative")
    SPORTS_CLUB = "club_sportif", _("Club sportif")
    LANDLORD = "bailleur", _("Bailleur social")
    PUBLIC_PLACE = "lieu_public", _("Lieu public (mairie, médiathèque, affiche)")
    HEALTH = "sante", _("Pharmacie, cabinet médical")
    OTHER = "autre", _("Autre relais")


class ReferrerQuerySet(OwnedQuerySet):
    def dormant(self, *, now=None, days=None):
        limit = (now or timezone.now()) - timedelta(days=days or settings.JALON_DORMANT_DAYS)
        # A referrer that never referred anyone is dormant once it has been known for that long.
        return self.filter(is_active=True).filter(
            models.Q(last_referral_at__lt=limit)
            | models.Q(last_referral_at__isnull=True, created_at__lt=limit)
        )


class Referrer(models.Model):
    """Someone who sends people to the structure: a partner, or a shop, a bar, an estate agent…"""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="referrers")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de relais"), max_length=20, choices=ReferrerKind.choices)
    partner_structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure Jalon correspondante"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("personne contact"), max_length=120, blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail du contact"), blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("animateur·rice du lien"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrers",
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("relais actif"), default=True)
    # The public link carries this key (signed); a new key revokes every printed link.
    link_key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    link_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Kept up to date by the actions so lists and "dormant" tasks read one row per referrer.
    last_referral_at = models.DateTimeField(null=True, blank=True, editable=False)
    referred_count = models.PositiveIntegerField(default=0, editable=False)
    reached_count = models.PositiveIntegerField(default=0, editable=False)
    accompanied_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ReferrerQuerySet.as_manager()

    class Meta:
        verbose_name = _("relais")
        verbose_name_plural = _("relais")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["structure", "name", "id"], name="referrer_struct_name"),
            models.Index(fields=["structure", "is_active", "last_referral_at"], name="referrer_dormant"),
            models.Index(
                fields=["facilitator", "is_active", "last_referral_at"], name="referrer_facilitator"
            ),
        ]

    def __str__(self):
        return self.name

    def is_dormant(self, now=None) -> bool:
        limit = (now or timezone.now()) - timedelta(days=settings.JALON_DORMANT_DAYS)
        return (self.last_referral_at or self.created_at) < limit

    @property
    def link_is_live(self) -> bool:
        return self.is_active and self.link_revoked_at is None


class ProspectionKind(models.TextChoices):
    VISIT = "visite", _("Visite")
    CALL = "appel", _("Appel")
    POSTER = "affiche", _("Affiche déposée")
    EMAIL = "email", _("E-mail")
    MEETING = "reunion", _("Réunion")
    OTHER = "autre", _("Autre")


class ProspectionEntryQuerySet(OwnedQuerySet):
    """The prospection log of the structure's referrers."""

    structure_path = "referrer__structure"


class ProspectionEntry(models.Model):
    """One line of a facilitator's prospection log for a referrer."""

    referrer = models.ForeignKey(Referrer, on_delete=models.CASCADE, related_name="prospection")
    kind = models.CharField(_("type"), max_length=10, choices=ProspectionKind.choices)
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)
    follow_up_on = models.DateField(_("relance prévue le"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProspectionEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("action de prospection")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["author", "follow_up_on"], name="prospection_follow_up")]

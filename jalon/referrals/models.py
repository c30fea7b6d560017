"""Repérage and accueil: referrers, referrals, intake, action plan, orientations.

A referral is the minute-long message a referrer (or the person themself) sends; it becomes a
person file when the person is welcomed. Orientations send a person on to a programme, a partner
structure or a service, and the receiving side answers in Jalon or through a signed link.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.people.models import Person
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


class ProspectionEntryQuerySet(models.QuerySet):
    def for_structure(self, structure):
        """The prospection log of the structure's referrers."""
        if structure is None:
            return self.none()
        return self.filter(referrer__structure=structure)


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


class PersonRecordQuerySet(models.QuerySet):
    """Rows about a person file (intake, action plan), written by one structure.

    `owned_by` gives what the structure wrote; `for_structure` what it may read: the rows about
    every file it may open, its own and those shared with it by consent (a partner reads the plan
    the referent structure wrote, as the plan page shows it).
    """

    structure_path = "structure"
    person_path = "person"

    def owned_by(self, structure):
        if structure is None:
            return self.none()
        return self.filter(**{self.structure_path: structure})

    def for_structure(self, structure):
        if structure is None:
            return self.none()
        visible = Person.objects.for_structure(structure).values("pk")
        return self.filter(**{f"{self.person_path}__in": visible})


class IntakeNeedQuerySet(PersonRecordQuerySet):
    structure_path = "intake__structure"
    person_path = "intake__person"


class PlanObjectiveQuerySet(PersonRecordQuerySet):
    structure_path = "axis__structure"
    person_path = "axis__person"


class Priority(models.IntegerChoices):
    HIGH = 1, _("Prioritaire")
    MEDIUM = 2, _("Important")
    LOW = 3, _("Plus tard")


class Intake(models.Model):
    """A "point de situation": the needs across life domains, at a date, by a case worker."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="intakes")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(
        _("synthèse"),
        blank=True,
        help_text=_("Pas d'information de santé ici : utilisez les notes sensibles."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("point de situation")
        ordering = ["-held_on", "-id"]


class IntakeNeed(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="needs")
    domain = models.CharField(_("domaine"), max_length=12, choices=Need.choices)
    priority = models.PositiveSmallIntegerField(
        _("priorité"), choices=Priority.choices, default=Priority.MEDIUM
    )
    detail = models.CharField(_("précisions"), max_length=255, blank=True)

    objects = IntakeNeedQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "domain"]
        constraints = [models.UniqueConstraint(fields=["intake", "domain"], name="intakeneed_unique_domain")]


class PlanAxis(models.Model):
    """Level 1 of the action plan (e.g. "Retrouver un emploi")."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="plan_axes")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("axe"), max_length=200)
    domain = models.CharField(_("domaine"), max_length=12, choices=Need.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]


class PlanObjective(models.Model):
    axis = models.ForeignKey(PlanAxis, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objectif"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = PlanObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]


class PlanAction(models.Model):
    objective = models.ForeignKey(PlanObjective, on_delete=models.CASCADE, related_name="actions")
    # Denormalised so "my due actions" is one indexed query, without joining up the plan.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("action"), max_length=200)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("qui s'en occupe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["structure", "owner", "done_at", "due_on"], name="planaction_due")]


class OrientationTarget(models.TextChoices):
    PROGRAMME = "programme", _("Programme de la structure")
    STRUCTURE = "structure", _("Structure partenaire")
    SERVICE = "service", _("Service ou formation")


class OrientationStatus(models.TextChoices):
    PROPOSED = "proposee", _("Proposée")
    ACCEPTED = "acceptee", _("Acceptée")
    REFUSED = "refusee", _("Refusée")
    STARTED = "demarree", _("Démarrée")
    FINISHED = "terminee", _("Terminée")
    EXPIRED = "expiree", _("Expirée sans réponse")
    CANCELLED = "annulee", _("Annulée")


ORIENTATION_TRANSITIONS = {
    OrientationStatus.PROPOSED: {
        OrientationStatus.ACCEPTED,
        OrientationStatus.REFUSED,
        OrientationStatus.EXPIRED,
        OrientationStatus.CANCELLED,
    },
    OrientationStatus.ACCEPTED: {OrientationStatus.STARTED, OrientationStatus.CANCELLED},
    OrientationStatus.STARTED: {OrientationStatus.FINISHED},
    OrientationStatus.REFUSED: set(),
    OrientationStatus.FINISHED: set(),
    OrientationStatus.EXPIRED: set(),
    OrientationStatus.CANCELLED: set(),
}
OPEN_ORIENTATION = [OrientationStatus.PROPOSED]


class RefusalReason(models.TextChoices):
    FULL = "complet", _("Plus de place")
    NOT_ELIGIBLE = "non_eligible", _("La personne ne remplit pas les conditions")
    NOT_ADAPTED = "inadapte", _("L'offre ne correspond pas au besoin")
    PERSON_DECLINED = "refus_personne", _("La personne a renoncé")
    UNREACHABLE = "injoignable", _("Injoignable")
    OTHER = "autre", _("Autre raison")


class OrientationQuerySet(models.QuerySet):
    def sent_by(self, structure):
        if structure is None:
            return self.none()
        return self.filter(from_structure=structure)

    def received_by(self, structure):
        if structure is None:
            return self.none()
        return self.filter(target_structure=structure)

    def for_structure(self, structure):
        if structure is None:
            return self.none()
        return self.filter(models.Q(from_structure=structure) | models.Q(target_structure=structure))


class Orientation(models.Model):
    ANSWER_VALIDITY = timedelta(days=8)
    REMIND_AFTER = timedelta(days=10)
    EXPIRE_AFTER = timedelta(days=30)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="orientations")
    from_structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="orientations_sent")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="orientations_sent"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="orientations"
    )
    target_kind = models.CharField(_("vers"), max_length=10, choices=OrientationTarget.choices)
    target_structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure destinataire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orientations_received",
    )
    target_service = models.ForeignKey(
        "directory.Service",
        verbose_name=_("service de l'annuaire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orientations",
    )
    # The programme, service or training by name (free text until programmes exist).
    target_label = models.CharField(_("programme, service ou formation"), max_length=255, blank=True)
    target_email = models.EmailField(_("e-mail du destinataire"), blank=True)
    motive = models.TextField(_("motif de l'orientation"))
    # What the person agreed to pass on: their name and phone or e-mail.
    share_contact = models.BooleanField(_("la personne accepte que ses coordonnées soient transmises"))
    status = models.CharField(
        _("statut"), max_length=10, choices=OrientationStatus.choices, default="proposee"
    )
    refusal_reason = models.CharField(
        _("motif du refus"), max_length=16, choices=RefusalReason.choices, blank=True
    )
    answer_note = models.TextField(_("réponse"), blank=True)
    answered_by_name = models.CharField(max_length=120, blank=True)
    answer_key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = OrientationQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["from_structure", "status", "-created_at"], name="orientation_sent"),
            models.Index(fields=["target_structure", "status", "-created_at"], name="orientation_received"),
            models.Index(fields=["status", "created_at"], name="orientation_due"),
            models.Index(fields=["person", "-created_at"], name="orientation_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_structure__isnull=False) | ~models.Q(target_label=""),
                name="orientation_has_target",
            ),
        ]

    def __str__(self):
        return f"Orientation {self.pk} vers {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.target_structure_id and self.target_label:
            return f"{self.target_label} ({self.target_structure})"
        return self.target_label or str(self.target_structure)

    def can_move_to(self, status: str) -> bool:
        return status in ORIENTATION_TRANSITIONS.get(self.status, set())

    @property
    def expires_at(self):
        return self.created_at + self.EXPIRE_AFTER


# --- Monthly roll-ups of the indicators (see jalon/referrals/rollup.py) --------------------------


class ReferralMonth(models.Model):
    """Referrals of a structure received in one month, per referrer and source. Rebuilt from the
    referrals when the month is marked dirty; never edited by hand."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month, local time
    # SET_NULL like Referral.referrer: a deleted referrer's referrals count as without referrer.
    referrer = models.ForeignKey(Referrer, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=ReferralSource.choices)
    referred = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    accompanied = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["structure", "month"], name="referral_month")]


class ReferralDelayMonth(models.Model):
    """How many referrals of a month were first contacted after `hour` whole hours: a histogram
    that locates the median's hour, read exactly afterwards (a median cannot be summed)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    hour = models.PositiveIntegerField()  # first_contact_minutes // 60
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["structure", "month", "hour"], name="referral_delay_month")]


class ReferralDirtyMonth(models.Model):
    """A (structure, month) whose roll-ups no longer match the referrals: written in the same
    transaction as the change; the indicators read such a month directly until it is rebuilt."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["structure", "month"], name="referral_dirty_month")]

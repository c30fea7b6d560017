"""The directory: structures and services as the national data·inclusion schema (v1) has them.

Field names follow the schema so an import or an export is a plain mapping; Jalon adds the
kind (service, training, initiative), the training details, translations and the Jalon
structure that owns an offer (when it publishes its own).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.structures.models import Commune, Structure


class DirectoryStructureQuerySet(models.QuerySet):
    def owned_by(self, structure):
        """The directory entries a Jalon structure publishes (its offer)."""
        if structure is None:
            return self.none()
        return self.filter(owner=structure)


class DirectoryStructure(models.Model):
    source = models.CharField(_("source"), max_length=100)
    source_id = models.CharField(_("identifiant chez la source"), max_length=255)
    nom = models.CharField(_("nom"), max_length=255)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    description = models.TextField(_("description"), blank=True)
    lien_source = models.URLField(_("lien source"), max_length=500, blank=True)
    date_maj = models.DateField(_("date de mise à jour"))
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code_postal = models.CharField(max_length=5, blank=True)
    adresse = models.CharField(max_length=255, blank=True)
    complement_adresse = models.CharField(max_length=255, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    telephone = models.CharField(max_length=20, blank=True)
    courriel = models.EmailField(blank=True)
    site_web = models.URLField(max_length=500, blank=True)
    horaires_accueil = models.CharField(_("horaires (format OpenStreetMap)"), max_length=500, blank=True)
    accessibilite_lieu = models.URLField(max_length=500, blank=True)
    reseaux_porteurs = models.JSONField(default=list, blank=True)
    # The Jalon structure that publishes this offer, if any (it sees quality scores and exports).
    owner = models.ForeignKey(
        Structure, null=True, blank=True, on_delete=models.SET_NULL, related_name="directory_structures"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DirectoryStructureQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure de l'annuaire")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="directorystructure_source_id")
        ]

    def __str__(self):
        return self.nom


class ServiceKind(models.TextChoices):
    SERVICE = "service", _("Service")
    TRAINING = "formation", _("Formation")
    INITIATIVE = "initiative", _("Initiative locale")


class GreenTheme(models.TextChoices):
    """The five themes of the Green Tech guide of trainings and initiatives (seed 004)."""

    SUSTAINABILITY = "developpement-durable-innovation", _("Développement durable et innovation")
    TERRITORY = "gestion-du-territoire", _("Gestion du territoire")
    ENERGY = "energie-renouvelables", _("Énergie et renouvelables")
    ENVIRONMENT = "protection-gestion-environnement", _("Protection et gestion de l'environnement")
    CLIMATE = "changement-climatique-pollution", _("Changement climatique et pollution")


class ServiceQuerySet(models.QuerySet):
    # The directory is shared by everyone: only a structure's own offer is read by structure.
    def owned_by(self, structure):
        """The services of the directory entries a Jalon structure publishes."""
        if structure is None:
            return self.none()
        return self.filter(structure__owner=structure)


class Service(models.Model):
    structure = models.ForeignKey(DirectoryStructure, on_delete=models.CASCADE, related_name="services")
    source = models.CharField(max_length=100)
    source_id = models.CharField(max_length=255)
    kind = models.CharField(
        _("nature"), max_length=12, choices=ServiceKind.choices, default=ServiceKind.SERVICE
    )
    nom = models.CharField(_("nom"), max_length=150)
    description = models.TextField(_("description"))
    lien_source = models.URLField(max_length=500, blank=True)
    date_maj = models.DateField(_("date de mise à jour"))
    type = models.CharField(max_length=40, blank=True)
    thematiques = models.JSONField(default=list, blank=True)
    frais = models.CharField(max_length=20, blank=True)
    frais_precisions = models.TextField(blank=True)
    publics = models.JSONField(default=list, blank=True)
    publics_precisions = models.TextField(blank=True)
    conditions_acces = models.TextField(blank=True)
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code_postal = models.CharField(max_length=5, blank=True)
    adresse = models.CharField(max_length=255, blank=True)
    complement_adresse = models.CharField(max_length=255, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    telephone = models.CharField(max_length=20, blank=True)
    courriel = models.EmailField(blank=True)
    modes_accueil = models.JSONField(default=list, blank=True)
    zone_eligibilite = models.JSONField(default=list, blank=True)
    contact_nom_prenom = models.CharField(max_length=255, blank=True)
    lien_mobilisation = models.URLField(max_length=500, blank=True)
    modes_mobilisation = models.JSONField(default=list, blank=True)
    mobilisable_par = models.JSONField(default=list, blank=True)
    mobilisation_precisions = models.TextField(blank=True)
    volume_horaire_hebdomadaire = models.FloatField(null=True, blank=True)
    nombre_semaines = models.PositiveIntegerField(null=True, blank=True)
    horaires_accueil = models.CharField(max_length=500, blank=True)
    # Trainings (kind "formation") carry more than data·inclusion has: Jalon's extension.
    certification = models.CharField(_("certification (code RNCP ou RS)"), max_length=20, blank=True)
    niveau = models.PositiveSmallIntegerField(_("niveau de qualification (3 à 8)"), null=True, blank=True)
    duree_heures = models.PositiveIntegerField(_("durée (heures)"), null=True, blank=True)
    prochaines_sessions = models.JSONField(_("prochaines sessions"), default=list, blank=True)
    financement = models.TextField(_("coût et financements"), blank=True)
    themes_verts = models.JSONField(_("thèmes Green Tech"), default=list, blank=True)
    # {"es": {"nom": …, "description": …}, …}: shown on the public page in the visitor's language.
    traductions = models.JSONField(_("traductions"), default=dict, blank=True)
    # Quality as data·inclusion computes it (0 to 1), refreshed on every import or edit.
    score_qualite = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # Prepared words for the full-text search (see search.py), kept up to date by refresh_search().
    # Set on the rows of a search by distance (jalon.directory.search._radius_page), not stored.
    distance_km = None

    search_name = models.TextField(default="", editable=False)
    search_body = models.TextField(default="", editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="service_source_id"),
            models.CheckConstraint(
                condition=models.Q(niveau__isnull=True) | models.Q(niveau__gte=3, niveau__lte=8),
                name="service_niveau_3_to_8",
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "nom"], name="service_structure_name"),
            # The box around a search by distance: a range on the latitude.
            models.Index(fields=["latitude", "longitude"], name="service_position"),
        ]

    def __str__(self):
        return self.nom

    @property
    def next_session(self):
        from datetime import date

        today = date.today().isoformat()
        upcoming = sorted(d for d in self.prochaines_sessions if d >= today)
        return date.fromisoformat(upcoming[0]) if upcoming else None

    @property
    def green_theme_labels(self) -> list[str]:
        labels = dict(GreenTheme.choices)
        return [str(labels.get(code, code)) for code in self.themes_verts]

    def refresh_search(self) -> None:
        from data_inclusion.schema.v1 import Thematique

        from .search import prepare

        labels = []
        for code in self.thematiques:
            try:
                labels.append(Thematique(code).label)
            except ValueError:
                labels.append(code.replace("-", " "))
        translated = [f"{t.get('nom', '')} {t.get('description', '')}" for t in self.traductions.values()]
        self.search_name = prepare(self.nom)
        self.search_body = prepare(" ".join([self.description, self.structure.nom, *labels, *translated]))

    def in_language(self, language: str) -> tuple[str, str, bool]:
        """(name, description, translated?) in the visitor's language, else in French."""
        text = self.traductions.get(language) or {}
        if text.get("nom") and text.get("description"):
            return text["nom"], text["description"], True
        return self.nom, self.description, False


def eligibility_codes(service, departements: dict[str, str] | None = None) -> set[str]:
    """The ServiceZone codes of a service: its zone_eligibilite, or else its commune's département.

    A service that gives no zone is kept only in its own département (a territory filter must
    never return a service whose zone leaves that commune out); one without zone nor commune is
    found by no territory. `departements` (commune code → département) saves a query per service.
    """
    if service.zone_eligibilite:
        return set(service.zone_eligibilite)
    if service.commune_id:
        if departements is not None and service.commune_id in departements:
            return {departements[service.commune_id]}
        return {service.commune.departement}
    return set()


class ServiceZone(models.Model):
    """One code where a service is open: its zone_eligibilite (commune, EPCI, département, or
    "france"), or its département when it gives none (see eligibility_codes)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="zones")
    code = models.CharField(max_length=9)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="servicezone_unique")]
        indexes = [models.Index(fields=["code", "service"], name="servicezone_code")]


class ServiceTheme(models.Model):
    """One thematique of a service, as a row: filtering by thematique is an index lookup."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="themes")
    code = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="servicetheme_unique")]
        indexes = [models.Index(fields=["code", "service"], name="servicetheme_code")]


class ImportRunQuerySet(models.QuerySet):
    def for_structure(self, structure):
        if structure is None:
            return self.none()
        return self.filter(structure=structure)


class ImportRun(models.Model):
    """A file uploaded on the offer screen, imported by a background job.

    A 5 MB file timed out the web worker: the page stores the file here and a job imports it.
    The file is kept only until the job ends; the report (summary, problems, notices) stays.
    Progress while it runs is in the job queue's key-value store (see actions.import_progress).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    token = models.UUIDField(unique=True, editable=False)
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="directory_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content = models.BinaryField(default=b"")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    accepted = models.BooleanField(default=False)
    summary = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)
    notices = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["structure", "-created_at"], name="importrun_structure_created")]

    def __str__(self):
        return self.filename

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

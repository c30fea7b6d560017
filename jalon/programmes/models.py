"""Programmes, their stages, sessions and enrolments (issue 5, first part: the enrolment rules).

A programme belongs to one or several structures (co-run, as POP and O'Clock do). A session is a
dated occurrence of a stage with a capacity; an enrolment holds a seat or a rank on the waiting
list. The rules live in jalon.programmes.actions; see docs/decisions/0005-parcours.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.people.models import Consent, Person
from jalon.structures.models import Structure
from jalon.text import gendered

# --- Scoped reads: every programme row is reached through a programme its structure runs ------
#
# A programme belongs to the structures in `owners` (co-run included). The rows below it (stages,
# sessions, slots, enrolments, …) are reachable by a structure when their programme is; some reads
# also need the person to be one of the structure's own people (`of_people_of`): in a co-run
# session a structure sees a partner's enrolments, but never acts on them. A structure of None
# (a peer facilitator's link, a user without a structure) reaches nothing.


class ProgrammeQuerySet(models.QuerySet):
    def run_by(self, structure):
        """The programmes `structure` runs, alone or with others."""
        if structure is None:
            return self.none()
        return self.filter(owners=structure)

    def templates_for(self, structure):
        """Templates that other structures share, to copy: those `structure` runs are listed
        with its own programmes, not here."""
        if structure is None:
            return self.none()
        return self.filter(is_template=True).exclude(owners=structure)

    def copyable_by(self, structure):
        """What `structure` may copy: its own programmes and every template."""
        if structure is None:
            return self.none()
        return self.filter(models.Q(owners=structure) | models.Q(is_template=True)).distinct()


class InProgrammeQuerySet(models.QuerySet):
    """Rows below a programme, found through `programme_path` (the lookup to their programme)."""

    programme_path = ""

    def in_programmes_of(self, structure):
        """The rows of the programmes `structure` runs (co-run included)."""
        if structure is None:
            return self.none()
        return self.filter(**{f"{self.programme_path}__owners": structure})


class PeopleQuerySet(models.QuerySet):
    """Rows about a person: `of_people_of` keeps the structure's own people."""

    def of_people_of(self, structure):
        """The rows about people whose referent structure is `structure`."""
        if structure is None:
            return self.none()
        return self.filter(person__structure=structure)

    def named_for(self, structure):
        """The rows about people `structure` may know by name: its own people, and a partner's
        people who consented to share their file with it. A withdrawn consent drops the rows at
        the next request: a co-runner keeps anonymous counts only (guide: parcours.md, « Programme porté à plusieurs »)."""
        if structure is None:
            return self.none()
        shared = Consent.objects.active_sharing_with(structure).values("person_id")
        return self.filter(Q(person__structure=structure) | Q(person_id__in=shared))


class StageQuerySet(InProgrammeQuerySet):
    programme_path = "programme"


class SessionQuerySet(InProgrammeQuerySet):
    programme_path = "stage__programme"


class SlotQuerySet(InProgrammeQuerySet):
    programme_path = "session__stage__programme"


class TrainerQuerySet(InProgrammeQuerySet):
    programme_path = "session__stage__programme"


class EnrolmentQuerySet(InProgrammeQuerySet, PeopleQuerySet):
    programme_path = "session__stage__programme"

    def editable_by(self, structure):
        """The enrolments `structure` acts on: its own people's, in the programmes it runs."""
        return self.in_programmes_of(structure).of_people_of(structure)


class InvitationQuerySet(InProgrammeQuerySet, PeopleQuerySet):
    programme_path = "session__stage__programme"


class AttendanceQuerySet(InProgrammeQuerySet, PeopleQuerySet):
    programme_path = "stage__programme"


class ExitQuerySet(InProgrammeQuerySet, PeopleQuerySet):
    programme_path = "programme"


class PeerQuerySet(PeopleQuerySet):
    pass


class Programme(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owners = models.ManyToManyField(
        Structure, related_name="programmes", verbose_name=_("structures qui le portent")
    )
    is_template = models.BooleanField(_("modèle à copier"), default=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("copié de")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class StageKind(models.TextChoices):
    WORKSHOP = "atelier", _("atelier découverte")
    JOB_DISCOVERY = "decouverte_metier", _("matinée découverte des métiers")
    BOOTCAMP = "bootcamp", _("bootcamp")
    SIMULATOR = "simulateur", _("simulateur d'entreprise")
    MODULE = "module", _("module de formation")
    QUALIFYING = "qualifiante", _("formation qualifiante")
    FOLLOW_UP = "suivi", _("suivi")


class Stage(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("ordre"))
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type d'étape"), max_length=20, choices=StageKind.choices)
    description = models.TextField(_("description"), blank=True)
    typical_days = models.PositiveSmallIntegerField(_("durée habituelle (jours)"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places habituelles"), null=True, blank=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = _("étape")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="stage_position_unique")
        ]

    def __str__(self):
        return self.name


class RuleKind(models.TextChoices):
    MIN_ATTENDED = "ateliers", _("avoir suivi au moins N séances d'une étape")
    DIAGNOSTIC = "diagnostic", _("diagnostic numérique réalisé")
    INVITED = "invitation", _("invitée par la coordination")
    PREVIOUS = "precedente", _("étape précédente terminée")


class EntryRule(models.Model):
    """One condition to enter a stage; all of a stage's rules must hold (see rules.py)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("condition"), max_length=12, choices=RuleKind.choices)
    # For MIN_ATTENDED: how many slots attended (présent or en retard) in sessions of `of_stage`.
    count = models.PositiveSmallIntegerField(_("nombre"), null=True, blank=True)
    of_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("de l'étape")
    )

    class Meta:
        verbose_name = _("condition d'entrée")
        ordering = ["stage", "id"]

    def __str__(self):
        if self.kind == RuleKind.MIN_ATTENDED:
            return f"au moins {self.count} séance(s) suivie(s) de « {self.of_stage} »"
        return str(self.get_kind_display())


class Session(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="sessions")
    # What this session is about, when the stage's name is not enough: a workshop catalogue is
    # one stage with many sessions ("Créer sa boîte mail", "Oser coder : développeur·se web").
    title = models.CharField(_("titre"), max_length=200, blank=True)
    topic = models.CharField(_("thème"), max_length=120, blank=True)
    starts_on = models.DateField(_("début"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    remote_url = models.URLField(_("lien de visio"), blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    waiting_list = models.BooleanField(_("liste d'attente"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        ordering = ["starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive")]

    def __str__(self):
        return f"{self.name} — {self.starts_on:%d/%m/%Y}"

    @property
    def name(self) -> str:
        """The session's title, else its stage's name."""
        return self.title or self.stage.name


class Slot(models.Model):
    """A half-day (or any time slot) of a session; attendance is taken per slot."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    # What this half-day covers, in a session of several ("Jeudi 1 : découvrir le code").
    title = models.CharField(_("titre"), max_length=200, blank=True)
    topic = models.CharField(_("thème"), max_length=120, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("créneau")
        ordering = ["session", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after")
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{start:%d/%m/%Y %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class Trainer(models.Model):
    """Who leads a session: a member of staff, or a participant acting as peer facilitator."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="trainers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("intervenant·e extérieur·e"), max_length=120, blank=True)

    objects = TrainerQuerySet.as_manager()

    class Meta:
        verbose_name = _("animateur·rice")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, person__isnull=True, label="")
                    | Q(user__isnull=True, person__isnull=False, label="")
                    | (Q(user__isnull=True, person__isnull=True) & ~Q(label=""))
                ),
                name="trainer_exactly_one_kind",
            )
        ]

    @property
    def is_peer(self) -> bool:
        return self.person_id is not None


class Team(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("nom"), max_length=60)

    class Meta:
        verbose_name = _("équipe")
        ordering = ["session", "name", "id"]

    def __str__(self):
        return self.name


class EnrolmentStatus(models.TextChoices):
    # The stored values are feminine words of the first version, kept so no row changes; the labels
    # are about no one in particular (filters, headers, exports): inclusive, or nouns.
    # `Enrolment.status_label` says them for one person ("inscrit", "inscrite", "inscrit·e").
    ENROLLED = "inscrite", _("inscrit·e")
    WAITING = "attente", _("liste d'attente")
    CANCELLED = "annulee", _("inscription annulée")
    COMPLETED = "terminee", _("étape terminée")
    LEFT = "partie", _("parti·e en cours d'étape")


class LeftReason(models.TextChoices):
    EMPLOYMENT = "emploi", _("a trouvé un emploi ou une formation")
    HEALTH = "sante", _("santé")
    FAMILY = "famille", _("raisons familiales")
    MOBILITY = "mobilite", _("mobilité, transport")
    MOTIVATION = "motivation", _("ne s'y retrouve pas")
    REORIENTED = "reorientee", _("réorientation vers un autre acteur")
    NO_NEWS = "sans_nouvelles", _("sans nouvelles")
    OTHER = "autre", _("autre")


# The words shown beside a person's name: the labels above, in the person's gender (the inclusive
# point form when not recorded). A departure reason about one person is a participle, not a noun.
LEFT_REASON_WORDS = {
    LeftReason.REORIENTED: "réorienté·e vers un autre acteur",
}
# The reasons about no one in particular (a list of choices, a count of departures).
LEFT_REASON_NEUTRAL = dict(LeftReason.choices)


# Seats are held by these statuses; a person who completed or left keeps the history, not the seat
# count of a session that is over. (A session's capacity is about the people taking part.)
SEATED = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED, EnrolmentStatus.LEFT)


def expected_on(day) -> Q:
    """The enrolments called at a slot on `day`: seated, and not ended before that day. A person
    who completed or left the stage, or left the programme (an exit), is not called after."""
    return Q(status__in=SEATED) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class Enrolment(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices)
    # Order on the waiting list: the smallest is promoted first. Kept after promotion, for history.
    waiting_rank = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    ended_on = models.DateField(_("fin d'étape"), null=True, blank=True)
    left_reason = models.CharField(
        _("motif de départ"), max_length=20, choices=LeftReason.choices, blank=True
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        ordering = ["session", "created_at", "id"]
        constraints = [
            # One live enrolment per person and session; a cancelled one may be followed by another.
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~Q(status="annulee"),
                name="enrolment_one_live_per_person",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "waiting_rank"], name="enrolment_waiting")]

    @property
    def status_label(self) -> str:
        """The status beside this person's name: "inscrit", "inscrite" or "inscrit·e"."""
        return gendered(self.get_status_display(), self.person)

    @property
    def left_reason_label(self) -> str:
        """The departure reason about this person: "réorienté", "réorientée" or "réorienté·e"."""
        label = LEFT_REASON_WORDS.get(self.left_reason) or self.get_left_reason_display()
        return gendered(label, self.person)


def name_for(person, structure) -> str:
    """A person's name as a structure may see it in a shared list: in full for its own people,
    "Prénom N." for a co-runner's (and for a peer facilitator, who sees with no structure)."""
    if structure is not None and person.structure_id == structure.pk:
        return f"{person.first_name} {person.last_name}"
    return f"{person.first_name} {person.last_name[:1]}."


class Invitation(models.Model):
    """The coordination invited a person to a session (rule "invitée par la coordination")."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="programme_invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="invitation_once")]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("présent·e")
    LATE = "retard", _("en retard")
    EXCUSED = "excuse", _("excusé·e")
    ABSENT = "absent", _("absent·e")


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Attendance(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    # Denormalised so eligibility ("3 workshops attended") is one indexed query per person.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=AttendanceStatus.choices)
    day = models.DateField()  # the slot's local date, for the daily roll-ups
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A peer facilitator who took the roll call from their link (no account).
    recorded_by_peer = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("présence")
        constraints = [models.UniqueConstraint(fields=["slot", "enrolment"], name="attendance_once_per_slot")]
        indexes = [
            models.Index(fields=["person", "stage", "status"], name="attendance_person_stage"),
            models.Index(fields=["stage", "day"], name="attendance_stage_day"),
        ]


class ExitCategory(models.TextChoices):
    DURABLE = "durable", _("emploi durable")
    TRANSITION = "transition", _("emploi de transition")
    POSITIVE = "positive", _("sortie positive")
    OTHER = "autre", _("autre sortie")


# DGEFP sub-types (DOMAIN.md), each under its category.
EXIT_SUBTYPES = {
    ExitCategory.DURABLE: {
        "cdi": "CDI",
        "cdd_6": "CDD ou intérim de 6 mois ou plus",
        "fonction_publique": "titularisation dans la fonction publique",
        "creation": "création d'entreprise",
    },
    ExitCategory.TRANSITION: {
        "cdd_court": "CDD ou intérim de moins de 6 mois",
        "contrat_aide": "contrat aidé chez un employeur ordinaire",
    },
    ExitCategory.POSITIVE: {
        "formation": "entrée en formation qualifiante ou pré-qualifiante",
        "autre_siae": "embauche dans une autre SIAE",
    },
    ExitCategory.OTHER: {
        "recherche": "en recherche d'emploi",
        "sans_nouvelles": "sans nouvelles",
        "autre": "autre situation",
    },
}
DYNAMIC = (ExitCategory.DURABLE, ExitCategory.TRANSITION, ExitCategory.POSITIVE)


class Exit(models.Model):
    """How a person left a programme, in the DGEFP categories; one per person and programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="exits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="programme_exits")
    category = models.CharField(_("catégorie"), max_length=12, choices=ExitCategory.choices)
    subtype = models.CharField(_("précision"), max_length=20)
    exited_on = models.DateField(_("date de sortie"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ExitQuerySet.as_manager()

    class Meta:
        verbose_name = _("sortie")
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="exit_once_per_programme")
        ]
        indexes = [models.Index(fields=["programme", "exited_on"], name="exit_programme_day")]

    @property
    def subtype_label(self) -> str:
        return EXIT_SUBTYPES.get(self.category, {}).get(self.subtype, self.subtype)


class StageDay(models.Model):
    """Daily roll-up per stage for the funnel: the dashboard reads these rows only.

    Rebuilt for the (stage, day) pairs in DirtyDay by jalon.programmes.rollup.refresh().
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    entered = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    # People whose first entry into (first completion of) the stage is on that day: a person who
    # comes to ten workshops counts once in the funnel, and conversions compare people.
    people_entered = models.PositiveIntegerField(default=0)
    people_completed = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    days_in_stage = models.PositiveBigIntegerField(default=0)  # summed over completed and left
    left_reasons = models.JSONField(default=dict)
    present = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)
    absent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stage", "day"], name="stageday_once")]
        indexes = [models.Index(fields=["programme", "day"], name="stageday_programme_day")]


class DirtyDay(models.Model):
    """A day whose roll-up must be rebuilt, written in the same transaction as the change.

    With a stage: that stage's StageDay; without: the programme's ExitDay rows. Duplicates are
    harmless (the refresh reads a set), so writers never wait on each other for this table.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, null=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()


class ExitDay(models.Model):
    """Daily roll-up of exits per programme, category and sub-type."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    category = models.CharField(max_length=12, choices=ExitCategory.choices)
    subtype = models.CharField(max_length=20)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["programme", "day"], name="exitday_programme_day")]


class RollupRun(models.Model):
    """When the roll-ups were last refreshed: the dashboard says how fresh its figures are."""

    finished_at = models.DateTimeField(default=timezone.now)
    days = models.PositiveIntegerField(default=0)


class Peer(models.Model):
    """An alumna or alumnus who welcomes newcomers and may lead sessions as peer facilitator."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="peer")
    since = models.DateField(_("pair·e depuis"), default=timezone.localdate)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PeerQuerySet.as_manager()

    class Meta:
        verbose_name = _("pair·e")

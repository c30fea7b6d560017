"""Retention rules (CNIL): how long person files, audit events and messages are kept.

A file with no contact for the structure's retention period (12 to 36 months, 24 by default) is
anonymised; its referent is told 30 days before, once, and a file touched in the meantime is
spared. Audit events and message bodies are kept 12 months; public referrals nobody followed up,
3 months. `run()` applies every rule; `run(dry_run=True)` counts without writing. The daily job
(jalon.people.tasks) and `jalon retention [--dry-run]` call it. See docs/rgpd.md.

Files are reached through other apps too (referrals, programmes, agenda): those apps sit above
this one in the layers, so they register here what they hold (`register_holder`) instead of this
module importing them.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

MIN_MONTHS, MAX_MONTHS, DEFAULT_MONTHS = 12, 36, 24
NOTICE = timedelta(days=30)
LOG_MONTHS = 12  # audit events and message bodies
UNFOLLOWED_REFERRAL_MONTHS = 3

# Timeline lines written by retention and erasure themselves: they are not a contact.
OWN_EVENT_KINDS = ("anonymised",)


def check_retention_months(months) -> int:
    """The legal bounds of the per-structure setting; a French message when outside them."""
    if months is None or not MIN_MONTHS <= int(months) <= MAX_MONTHS:
        raise ValueError(
            f"Choisissez une durée entre {MIN_MONTHS} et {MAX_MONTHS} mois "
            f"(la CNIL recommande {DEFAULT_MONTHS} mois après le dernier contact)."
        )
    return int(months)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st falls back to the month's end)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- what other apps hold about a person -------------------------------------------------------


@dataclass
class Holder:
    """What one app keeps about people: how to anonymise it, when it counts as a contact, what
    forbids erasing it, and what it purges by age."""

    name: str
    # Blank or delete this app's personal data of one person (inside the anonymisation transaction).
    anonymise: Callable | None = None
    # Expressions giving, per Person row (OuterRef("pk")), the date of this app's latest contact.
    last_contact: Callable[[], list] | None = None
    # French sentences: why this person's file may not be erased today.
    legal_holds: Callable | None = None
    # Purges by age, for a given "now": which rows, under which rule of RULES, and how.
    purges: Callable[[datetime], list["Purge"]] | None = None


@dataclass
class Purge:
    rule: str
    queryset: QuerySet
    apply: Callable[[QuerySet], object] = field(default=lambda queryset: queryset.delete())
    structure_field: str = "structure_id"


HOLDERS: list[Holder] = []


def register_holder(holder: Holder) -> None:
    # Idempotent so a module imported twice (tests, autoreload) is counted once.
    HOLDERS[:] = [h for h in HOLDERS if h.name != holder.name] + [holder]


def _people_holder() -> Holder:
    from jalon.audit.models import AuditEvent
    from jalon.notifications.models import MessageStatus, OutboxMessage

    from .models import PersonEvent

    def last_contact():
        events = (
            PersonEvent.objects.filter(person=OuterRef("pk"))
            .exclude(kind__in=OWN_EVENT_KINDS)
            .order_by()
            .values("person")
            .annotate(latest=Max("occurred_at"))
            .values("latest")
        )
        return [Subquery(events[:1])]

    def purges(now):
        limit = months_before(now, LOG_MONTHS)
        return [
            Purge("audit", AuditEvent.objects.filter(at__lt=limit)),
            Purge(
                "messages",
                # Bodies hold link tokens and names; the row stays for the outbox's counts.
                OutboxMessage.objects.filter(created_at__lt=limit)
                .exclude(status__in=[MessageStatus.QUEUED, MessageStatus.RETRYING, MessageStatus.SENDING])
                .exclude(body="", to=""),
                lambda queryset: queryset.update(body="", subject="", to="", attachments=[]),
            ),
        ]

    return Holder(name="people", last_contact=last_contact, purges=purges)


def holders() -> list[Holder]:
    return [_people_holder(), *HOLDERS]


# --- last contact ------------------------------------------------------------------------------


def with_last_contact(queryset: QuerySet) -> QuerySet:
    """Annotate `last_contact`: the latest of the file's own date (updates, action plan) and of
    every registered source (timeline, intake, orientations, appointments, attendance, enrolments,
    exits). The people holder always gives one source, so Greatest has at least two arguments."""
    expressions = [expr for holder in holders() if holder.last_contact for expr in holder.last_contact()]
    # Coalesce: SQLite's MAX(a, NULL) is NULL, so a source with no row must not hide the others.
    parts = [Coalesce(expr, "last_contact_at") for expr in expressions]
    return queryset.annotate(last_contact=Greatest("last_contact_at", *parts))


def last_contact_of(person) -> datetime:
    from .models import Person

    return with_last_contact(Person.objects.filter(pk=person.pk)).values_list("last_contact", flat=True)[0]


def live_people(structure) -> QuerySet:
    from .models import Person

    return Person.objects.owned_by(structure).filter(anonymised_at__isnull=True)


def due_for_notice(structure, now: datetime) -> QuerySet:
    """Files that reach the retention limit within 30 days and whose referent was not told since
    the last contact."""
    limit = months_before(now, structure.retention_months) + NOTICE
    # last_contact_at <= last_contact: a cheap pre-filter on an indexed column.
    candidates = live_people(structure).filter(last_contact_at__lt=limit)
    return (
        with_last_contact(candidates)
        .filter(last_contact__lt=limit)
        .filter(Q(retention_notice_at__isnull=True) | Q(retention_notice_at__lt=F("last_contact")))
    )


def due_for_anonymisation(structure, now: datetime) -> QuerySet:
    """Files past the limit whose referent was told at least 30 days ago and that nobody touched
    since: a file with a contact after its notice is spared (and gets a new notice later)."""
    limit = months_before(now, structure.retention_months)
    candidates = live_people(structure).filter(
        last_contact_at__lt=limit, retention_notice_at__lte=now - NOTICE
    )
    return (
        with_last_contact(candidates)
        .filter(last_contact__lt=limit)
        .filter(retention_notice_at__gt=F("last_contact"))
    )


def noticed(structure) -> QuerySet:
    """Files whose referent was told and that nobody touched since: anonymised within 30 days."""
    candidates = live_people(structure).filter(retention_notice_at__isnull=False)
    return with_last_contact(candidates).filter(retention_notice_at__gt=F("last_contact"))


# --- the job ------------------------------------------------------------------------------------


RULES = {
    "notices": "avis envoyés au référent (30 jours avant)",
    "anonymised": "dossiers anonymisés (sans contact)",
    "audit": "événements du journal de plus de 12 mois supprimés",
    "messages": "messages de plus de 12 mois vidés",
    "referrals": "repérages sans suite de plus de 3 mois supprimés",
}


def run(*, dry_run: bool = False, now: datetime | None = None) -> dict[str, Counter]:
    """Apply every rule once; return counts per rule and per structure id (None: no structure).

    Idempotent: a second run the same day finds nothing left to do. With `dry_run`, only counts.
    """
    from jalon.structures.models import Structure

    from . import erasure

    now = now or timezone.now()
    report: dict[str, Counter] = {rule: Counter() for rule in RULES}
    for structure in Structure.objects.order_by("pk"):
        # Anonymise before warning: a file due today was warned 30 days ago, not now.
        # list(): read the rows before writing (SQLite cannot write while a read cursor is open).
        for person in list(due_for_anonymisation(structure, now).select_related("structure")):
            report["anonymised"][structure.pk] += 1
            if not dry_run:
                erasure.anonymise_person(person=person, actor=None, reason="retention", via="job", now=now)
        for person in list(due_for_notice(structure, now).select_related("referent", "structure")):
            report["notices"][structure.pk] += 1
            if not dry_run:
                erasure.send_retention_notice(person=person, now=now)
    for holder in holders():
        for purge in holder.purges(now) if holder.purges else []:
            counts = Counter(
                dict(
                    purge.queryset.order_by()
                    .values_list(purge.structure_field)
                    .annotate(n=Count("pk"))
                    .values_list(purge.structure_field, "n")
                )
            )
            report[purge.rule].update(counts)
            if not dry_run and counts:
                purge.apply(purge.queryset)
    return report

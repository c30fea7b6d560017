"""Reads of programmes that the pages and the API share: the ownership chain, lists, rows.

Every read starts from a scoped QuerySet (models.py: `run_by`, `in_programmes_of`,
`of_people_of`): a row of a programme the structure does not run is None here, which the
callers turn into a 404, exactly as for an id that does not exist.
"""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from jalon.people.models import Consent

from .models import (
    ATTENDED,
    Enrolment,
    EnrolmentStatus,
    EntryRule,
    Exit,
    Peer,
    Programme,
    Session,
    Slot,
    Stage,
    expected_on,
    name_for,
)

# --- One object of a programme the structure runs, else None ----------------------------------


def programme_for(structure, pk: int) -> Programme | None:
    return Programme.objects.run_by(structure).filter(pk=pk).first()


def stage_for(structure, pk: int) -> Stage | None:
    return Stage.objects.in_programmes_of(structure).filter(pk=pk).select_related("programme").first()


def session_for(structure, pk: int, *, with_slots: bool = False) -> Session | None:
    sessions = Session.objects.in_programmes_of(structure).filter(pk=pk).select_related("stage__programme")
    if with_slots:
        sessions = sessions.prefetch_related("slots")
    return sessions.first()


def slot_for(structure, pk: int) -> Slot | None:
    return (
        Slot.objects.in_programmes_of(structure)
        .filter(pk=pk)
        .select_related("session__stage__programme")
        .first()
    )


def enrolment_for(structure, pk: int, *, session: Session | None = None) -> Enrolment | None:
    """An enrolment the structure acts on: one of its own people, in a programme it runs (a
    co-runner's enrolment in the same session is None). With `session`: of that session only."""
    enrolments = Enrolment.objects.editable_by(structure).filter(pk=pk)
    if session is not None:
        enrolments = enrolments.filter(session=session)
    return enrolments.select_related("person", "team", "session__stage__programme").first()


def copyable_programme(structure, pk: int) -> Programme | None:
    return Programme.objects.copyable_by(structure).filter(pk=pk).first()


# --- Lists ---------------------------------------------------------------------------------------


def programmes_with_counts(structure):
    """The structure's programmes for the list page: owners and number of stages."""
    return (
        Programme.objects.run_by(structure)
        .prefetch_related("owners")
        .annotate(n_stages=Count("stages", distinct=True))
    )


def programmes_with_stages(structure):
    """The structure's programmes with their owners, stages and entry rules (API)."""
    return Programme.objects.run_by(structure).prefetch_related(
        "owners", "stages", Prefetch("stages__rules", queryset=EntryRule.objects.order_by("pk"))
    )


def templates_for(structure, limit: int = 50) -> list[Programme]:
    return list(Programme.objects.templates_for(structure).prefetch_related("owners")[:limit])


def programme_choices(structure) -> list[Programme]:
    """The programmes a person of the structure may leave (the exit form), by name."""
    return list(Programme.objects.run_by(structure).order_by("name"))


def sessions_between(structure, first: date, last: date, *, programme_id: int | None = None):
    """Sessions of the structure's programmes starting between `first` and `last` included,
    in date order, with their stage and slots."""
    sessions = Session.objects.in_programmes_of(structure).filter(starts_on__gte=first, starts_on__lte=last)
    if programme_id is not None:
        sessions = sessions.filter(stage__programme_id=programme_id)
    return sessions.select_related("stage").prefetch_related("slots").order_by("starts_on", "pk")


def sessions_led_by(structure, user, *, since: date):
    """Sessions of the structure's programmes that `user` leads, from `since` on."""
    return (
        Session.objects.in_programmes_of(structure)
        .filter(trainers__user=user, starts_on__gte=since)
        .select_related("stage__programme")
        .distinct()
        .order_by("starts_on", "pk")
    )


def peers_of(structure, limit: int = 200) -> list[Peer]:
    return list(
        Peer.objects.of_people_of(structure).select_related("person").order_by("person__search_name")[:limit]
    )


def peer_for(structure, pk) -> Peer | None:
    return Peer.objects.of_people_of(structure).filter(pk=pk).select_related("person").first()


# --- Enrolment rows: names as the structure may see them ---------------------------------------


class Rows(list):
    """Enrolment rows a structure may see by name, and `hidden`: how many others it may only
    count (a partner's people who did not consent, or withdrew their consent, to share with it).
    `hidden_statuses`: their statuses only, so seats still add up."""

    def __init__(self):
        super().__init__()
        self.hidden_statuses = []

    @property
    def hidden(self) -> int:
        return len(self.hidden_statuses)

    def hidden_in(self, statuses) -> int:
        return sum(1 for status in self.hidden_statuses if status in statuses)


def _with_sharing(enrolments, structure):
    """Annotates `shared`: the person shares their file with `structure` (one query, no N+1)."""
    if structure is None:
        return enrolments
    consent = Consent.objects.active_sharing_with(structure).filter(person_id=OuterRef("person_id"))
    return enrolments.annotate(shared=Exists(consent))


def _named(enrolments: list, structure, *, on_behalf_of=None) -> Rows:
    """Keeps the rows the viewer may name, each with `display` and `own`.

    The viewer is a structure, or a peer facilitator (structure None) acting for `on_behalf_of`,
    their own structure. Names of a partner's people need their sharing consent to the viewer's
    structure; without it the row is only counted in `hidden`."""
    viewer = structure if structure is not None else on_behalf_of
    rows = Rows()
    for e in enrolments:
        own = viewer is not None and e.person.structure_id == viewer.pk
        if viewer is None or not (own or getattr(e, "shared", False)):
            rows.hidden_statuses.append(e.status)
            continue
        e.display = name_for(e.person, structure)
        e.own = structure is not None and own
        rows.append(e)
    return rows


def session_enrolments(session: Session, structure, *, counts: bool = False, by_name: bool = True) -> Rows:
    """The session's enrolments not cancelled, seated and waiting, that the structure may name,
    each with `display` (the name as the structure may see it: "Prénom N." for a co-runner's
    people) and `own` (one of its people); `hidden` counts the others. `counts`: also
    `attended` and `marked` slots; `by_name`: by name within a status (the pages), else by
    enrolment (the API)."""
    enrolments = session.enrolments.exclude(status=EnrolmentStatus.CANCELLED).select_related("person", "team")
    enrolments = _with_sharing(enrolments, structure)
    if counts:
        enrolments = enrolments.annotate(
            attended=Count("attendances", filter=Q(attendances__status__in=ATTENDED)),
            marked=Count("attendances"),
        )
    order = (
        ("status", "waiting_rank", "person__search_name", "pk")
        if by_name
        else ("status", "waiting_rank", "pk")
    )
    return _named(list(enrolments.order_by(*order)), structure)


def called_at(slot: Slot):
    """The enrolments called at `slot`: seated in its session, not ended before its day."""
    return slot.session.enrolments.filter(expected_on(timezone.localtime(slot.starts_at).date()))


def roll_call_enrolments(slot: Slot, structure, *, on_behalf_of=None) -> Rows:
    """The roll call of `slot`, by team then name, with the names the structure may see (a peer
    facilitator, with no structure, sees first names and initials, of their own structure's
    people and of those who share their file with it: `on_behalf_of`)."""
    enrolments = called_at(slot).select_related("person", "team")
    enrolments = _with_sharing(enrolments, structure if structure is not None else on_behalf_of)
    enrolments = enrolments.order_by("team__name", "person__search_name", "pk")
    return _named(list(enrolments), structure, on_behalf_of=on_behalf_of)


def slot_attendances(slot: Slot, structure):
    """The marks of `slot` that the structure may see: of people it may name."""
    return slot.attendances.named_for(structure)


def own_person_ids(enrolments, structure) -> list[int]:
    """The people among `enrolments` whose file is the structure's: their reads are audited."""
    return [e.person_id for e in enrolments if e.person.structure_id == structure.pk]


# --- A person's pathway --------------------------------------------------------------------------


def pathway_enrolments(person, structure) -> list[Enrolment]:
    """The person's enrolments in the structure's programmes, latest first, with attendance."""
    return list(
        person.enrolments.in_programmes_of(structure)
        .select_related("session__stage__programme")
        .annotate(
            attended=Count("attendances", filter=Q(attendances__status__in=ATTENDED)),
            marked=Count("attendances"),
        )
        .order_by("-session__starts_on", "-pk")
    )


def pathway_exits(person, structure) -> list[Exit]:
    return list(Exit.objects.in_programmes_of(structure).filter(person=person).select_related("programme"))

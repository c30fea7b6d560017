"""What changes programmes: designing them, enrolling, attendance, progression and exits.

Enrolment rules: capacity is never exceeded, the waiting list promotes in order. Both hold when
two staff members enrol at the same moment: every change locks the session row first
(SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), then counts.

Every change that moves a figure of the funnel marks its day dirty (DirtyDay) in the same
transaction, and queues a rebuild of those days (jalon.programmes.rollup) when it commits.
"""

import logging
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel
from jalon.people.actions import person_channels
from jalon.people.models import PersonEvent
from jalon.text import agree, long_date

from . import links, rules
from .models import (
    DYNAMIC,
    EXIT_SUBTYPES,
    SEATED,
    Attendance,
    AttendanceStatus,
    DirtyDay,
    Enrolment,
    EnrolmentStatus,
    EntryRule,
    Exit,
    Invitation,
    LeftReason,
    Peer,
    Programme,
    RuleKind,
    Session,
    Slot,
    Stage,
    Team,
    Trainer,
    expected_on,
)

logger = logging.getLogger(__name__)
REMIND_BEFORE = timedelta(days=2)


def mark_dirty(*, programme_id: int, stage_id: int | None, days) -> None:
    """The days to rebuild, in the caller's transaction; once it commits, a refresh is queued
    (coalesced: see tasks.queue_refresh), so dashboards show the change within moments."""
    from .tasks import queue_refresh  # tasks import this module

    DirtyDay.objects.bulk_create(
        [DirtyDay(programme_id=programme_id, stage_id=stage_id, day=day) for day in set(days) if day]
    )
    # Robust: the change is committed either way; if the queue is down, the periodic job catches up.
    transaction.on_commit(queue_refresh, robust=True)


def _mark_enrolment(enrolment: Enrolment) -> None:
    """Its days, and the days of the person's other enrolments in the stage: which one is their
    first entry (or completion) may have changed."""
    stage = enrolment.session.stage
    days = {enrolment.session.starts_on, enrolment.ended_on}
    for started, ended in Enrolment.objects.filter(
        person_id=enrolment.person_id, session__stage=stage
    ).values_list("session__starts_on", "ended_on"):
        days.update((started, ended))
    mark_dirty(programme_id=stage.programme_id, stage_id=stage.pk, days=days)


def owns(programme: Programme, structure) -> bool:
    return Programme.objects.run_by(structure).filter(pk=programme.pk).exists()


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def _check_owner(session: Session, structure) -> None:
    # Not found and forbidden look the same to the caller (PermissionDenied → 404 in views).
    if not owns(session.stage.programme, structure):
        raise PermissionDenied


@transaction.atomic  # the audit event and the timeline line commit with the enrolment, or nothing does
def enrol(
    *,
    session: Session,
    person,
    structure,
    actor,
    via: str = "web",
    check_rules: bool = True,
    override: bool = False,
) -> Enrolment:
    """A seat if one is free, else a rank on the waiting list, else a French refusal.

    The stage's entry rules must hold, unless the coordination decides otherwise (`override`),
    which the audit event says.
    """
    _check_owner(session, structure)
    if person.structure_id != structure.pk:
        raise PermissionDenied
    if check_rules and not override:
        reasons = rules.check(session.stage, [person.pk])[person.pk]
        if reasons:
            raise ValidationError("Conditions d'entrée non remplies : " + " ; ".join(reasons) + ".")
    try:
        with transaction.atomic():
            session = _locked(session)
            live = session.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
            if live.filter(person=person).exists():
                raise ValidationError(
                    "Cette personne est déjà inscrite à cette session (ou en liste d'attente)."
                )
            if live.filter(status__in=SEATED).count() < session.capacity:
                enrolment = Enrolment.objects.create(
                    session=session, person=person, status=EnrolmentStatus.ENROLLED, created_by=actor
                )
            elif session.waiting_list:
                last = session.enrolments.aggregate(rank=Max("waiting_rank"))["rank"] or 0
                enrolment = Enrolment.objects.create(
                    session=session,
                    person=person,
                    status=EnrolmentStatus.WAITING,
                    waiting_rank=last + 1,
                    created_by=actor,
                )
            else:
                raise ValidationError("La session est complète et n'a pas de liste d'attente.")
            _mark_enrolment(enrolment)
    except IntegrityError as error:  # the unique live enrolment, raced
        raise ValidationError(
            "Cette personne est déjà inscrite à cette session (ou en liste d'attente)."
        ) from error
    detail = "conditions d'entrée passées outre" if override else ""
    record(
        action=Action.CREATE,
        actor=actor,
        structure=structure,
        obj=enrolment,
        person=person,
        via=via,
        detail=detail,
    )
    _timeline(
        enrolment,
        f"{agree(person, 'Inscrit')} : {session}" + (" (liste d'attente)" if enrolment.waiting_rank else ""),
        actor,
    )
    return enrolment


def _event(person, structure, kind: str, label: str, actor) -> None:
    """One line of the person's timeline (the person file shows the pathway there)."""
    user = actor if actor is not None and actor.is_authenticated else None
    PersonEvent.objects.create(person=person, structure=structure, kind=kind, label=label[:255], actor=user)


def _timeline(enrolment: Enrolment, label: str, actor) -> None:
    _event(enrolment.person, enrolment.person.structure, "parcours", label, actor)


@transaction.atomic  # the change, its audit events and the message to the promoted person, together
def cancel(*, enrolment: Enrolment, structure, actor, via: str = "web") -> Enrolment | None:
    """Frees the seat; the first on the waiting list takes it. Returns the promoted enrolment."""
    _check_owner(enrolment.session, structure)
    promoted = None
    with transaction.atomic():
        _locked(enrolment.session)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.CANCELLED:
            return None
        if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING):
            raise ValidationError(
                "Cette étape est terminée pour cette personne : l'inscription reste dans son parcours."
            )
        freed = enrolment.status == EnrolmentStatus.ENROLLED
        enrolment.status, enrolment.cancelled_at = EnrolmentStatus.CANCELLED, timezone.now()
        enrolment.save(update_fields=["status", "cancelled_at"])
        if freed:
            promoted = (
                enrolment.session.enrolments.filter(status=EnrolmentStatus.WAITING)
                .order_by("waiting_rank", "id")
                .first()
            )
            if promoted:
                promoted.status = EnrolmentStatus.ENROLLED
                promoted.save(update_fields=["status"])
                _mark_enrolment(promoted)  # their first entry into the stage may have moved
        _mark_enrolment(enrolment)
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=enrolment,
        person=enrolment.person,
        fields=["status"],
        via=via,
    )
    if promoted:
        record(
            action=Action.UPDATE,
            actor=actor,
            structure=structure,
            obj=promoted,
            person=promoted.person,
            fields=["status"],
            detail="liste d'attente",
            via=via,
        )
        person = promoted.person
        _timeline(
            promoted, f"Une place s'est libérée : {agree(person, 'inscrit')} à {promoted.session}", actor
        )
        body = session_text(
            promoted.session,
            lead="une place s'est libérée : votre inscription est confirmée pour",
            first_name=person.first_name,
        )
        _send(
            promoted.session,
            person,
            kind="place",
            body=body,
            structure=person.structure,
            key=f"{promoted.pk}",
        )
    return promoted


# --- Designer ----------------------------------------------------------------------------------


@transaction.atomic
def create_programme(
    *, structure, actor, name: str, description: str = "", is_template: bool = False
) -> Programme:
    programme = Programme.objects.create(name=name, description=description, is_template=is_template)
    programme.owners.add(structure)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=programme)
    return programme


@transaction.atomic
def add_stage(*, programme: Programme, structure, actor, **fields) -> Stage:
    if not owns(programme, structure):
        raise PermissionDenied
    last = programme.stages.aggregate(last=Max("position"))["last"] or 0
    stage = Stage.objects.create(programme=programme, position=last + 1, **fields)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=stage)
    return stage


@transaction.atomic
def move_stage(*, stage: Stage, structure, actor, up: bool) -> None:
    """Swaps the stage with its neighbour (buttons, not drag-only: usable with the keyboard)."""
    if not owns(stage.programme, structure):
        raise PermissionDenied
    stages = list(
        Stage.objects.select_for_update().filter(programme_id=stage.programme_id).order_by("position")
    )
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(stages):
        return
    a, b = stages[index], stages[other]
    # Through a free position, so the unique (programme, position) holds at every statement.
    free = max(s.position for s in stages) + 1
    positions = a.position, b.position
    Stage.objects.filter(pk=a.pk).update(position=free)
    Stage.objects.filter(pk=b.pk).update(position=positions[0])
    Stage.objects.filter(pk=a.pk).update(position=positions[1])
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=stage, fields=["position"])


@transaction.atomic
def add_rule(*, stage: Stage, structure, actor, kind: str, count=None, of_stage=None) -> EntryRule:
    if not owns(stage.programme, structure):
        raise PermissionDenied
    if kind == RuleKind.MIN_ATTENDED:
        if not count or of_stage is None:
            raise ValidationError("Indiquez le nombre de séances et l'étape à suivre.")
        if of_stage.programme_id != stage.programme_id or of_stage.pk == stage.pk:
            raise ValidationError("L'étape à suivre doit être une autre étape de ce programme.")
    else:
        count = of_stage = None
    rule = EntryRule.objects.create(stage=stage, kind=kind, count=count, of_stage=of_stage)
    record(action=Action.CREATE, actor=actor, structure=structure, obj=rule)
    return rule


@transaction.atomic
def copy_programme(*, programme: Programme, structure, actor, name: str) -> Programme:
    """A new programme with the same stages and entry rules, owned by `structure`; no sessions."""
    if not (owns(programme, structure) or programme.is_template):
        raise PermissionDenied
    copy = Programme.objects.create(name=name, description=programme.description, copied_from=programme)
    copy.owners.add(structure)
    mapping = {}
    for stage in programme.stages.order_by("position"):
        mapping[stage.pk] = Stage.objects.create(
            programme=copy,
            position=stage.position,
            name=stage.name,
            kind=stage.kind,
            description=stage.description,
            typical_days=stage.typical_days,
            capacity=stage.capacity,
        )
    for rule in EntryRule.objects.filter(stage__programme=programme).order_by("pk"):
        EntryRule.objects.create(
            stage=mapping[rule.stage_id],
            kind=rule.kind,
            count=rule.count,
            of_stage=mapping.get(rule.of_stage_id),
        )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=copy, detail="copie d'un programme")
    return copy


@transaction.atomic
def schedule_session(*, stage: Stage, structure, actor, slots: list[tuple], **fields) -> Session:
    """A session with its time slots (half-days), each (starts_at, ends_at) or (starts_at,
    ends_at, title, topic); `fields` may give the session a title and a topic."""
    if not owns(stage.programme, structure):
        raise PermissionDenied
    if not slots:
        raise ValidationError("Ajoutez au moins un créneau.")
    slots = sorted((s, e, *(list(more) + ["", ""])[:2]) for s, e, *more in slots)
    for starts_at, ends_at, *_ in slots:
        if ends_at <= starts_at:
            raise ValidationError("Chaque créneau doit finir après son début.")
    starts_on = min(timezone.localtime(s).date() for s, *_ in slots)
    session = Session.objects.create(stage=stage, starts_on=starts_on, **fields)
    Slot.objects.bulk_create(
        [
            Slot(session=session, starts_at=s, ends_at=e, title=title, topic=topic)
            for s, e, title, topic in slots
        ]
    )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=session)
    return session


TRAINER_CHOICE = "Choisissez un·e pair·e, vous-même ou le nom d'un·e intervenant·e."


@transaction.atomic
def add_trainer(*, session: Session, structure, actor, user=None, person=None, label: str = "") -> Trainer:
    """Who leads the session: a member of the structure's staff, one of its peers (Peer), or an
    outside speaker by name. Adding the same member or peer again changes nothing."""
    _check_owner(session, structure)
    label = label.strip()[:120]
    if [user is not None, person is not None, bool(label)].count(True) != 1:
        raise ValidationError(TRAINER_CHOICE)
    if user is not None and not user.memberships.filter(structure=structure).exists():
        raise PermissionDenied
    if person is not None and not Peer.objects.of_people_of(structure).filter(person=person).exists():
        raise PermissionDenied
    if label:
        trainer, created = Trainer.objects.create(session=session, label=label), True
    else:
        trainer, created = Trainer.objects.get_or_create(session=session, user=user, person=person)
    if created:
        record(action=Action.CREATE, actor=actor, structure=structure, obj=trainer)
    return trainer


# --- Invitations and reminders -----------------------------------------------------------------


def session_text(session: Session, *, lead: str, first_name: str, link: str = "") -> str:
    first = session.slots.order_by("starts_at").first()
    when = long_date(first.starts_at, "l j F à H\\hi") if first else ""
    text = f"Bonjour {first_name}, {lead} « {session.name} » ({session.stage.programme.name}) le {when}"
    text += f", {session.place}." if session.place else "."
    if link:
        text += f" Pour vous inscrire : {link}"
    return text


SUBJECTS = {"invitation": "Invitation", "rappel": "Rappel", "place": "Une place pour vous"}


def _send(session: Session, person, *, kind: str, body: str, structure, key: str) -> int:
    from .ics import session_ics

    sent = 0
    for channel, to in person_channels(person.pk, phone=person.phone, email=person.email):
        attachments = []
        if channel == MessageChannel.EMAIL:
            content = session_ics(session).decode()
            attachments = [{"filename": "session.ics", "content": content, "mimetype": "text/calendar"}]
        enqueue(
            channel=channel,
            to=to,
            subject=SUBJECTS[kind] + f" : {session.name}",
            body=body,
            structure=structure,
            purpose=f"parcours_{kind}",
            dedupe_key=f"parcours-{kind}-{key}-{channel}",
            attachments=attachments,
        )
        sent += 1
    return sent


@transaction.atomic
def invite(*, session: Session, person, structure, actor, notify: bool = True) -> tuple[Invitation, int]:
    """Records the invitation (rule "invitée par la coordination") and writes to the person,
    unless `notify` is False (an invitation given in person; the demo, which sends nothing)."""
    _check_owner(session, structure)
    if person.structure_id != structure.pk:
        raise PermissionDenied
    invitation, _ = Invitation.objects.get_or_create(
        session=session, person=person, defaults={"invited_by": actor}
    )
    sent = 0
    if notify:
        link = links.registration_url(invitation)
        body = session_text(session, lead="nous vous invitons à", first_name=person.first_name, link=link)
        sent = _send(
            session, person, kind="invitation", body=body, structure=structure, key=f"{invitation.pk}"
        )
    record(action=Action.CREATE, actor=actor, structure=structure, obj=invitation, person=person)
    return invitation, sent


def send_reminders(today: date | None = None) -> int:
    """Daily: every enrolled person of a session starting in two days gets one reminder."""
    today = today or timezone.localdate()
    due = Enrolment.objects.filter(
        status=EnrolmentStatus.ENROLLED, session__starts_on=today + REMIND_BEFORE
    ).select_related("person", "session__stage__programme")
    sent = 0
    for enrolment in due:
        session = enrolment.session
        body = session_text(session, lead="rappel :", first_name=enrolment.person.first_name)
        structure = enrolment.person.structure
        sent += _send(
            session, enrolment.person, kind="rappel", body=body, structure=structure, key=f"{enrolment.pk}"
        )
    if sent:
        logger.info("parcours: %s reminders queued", sent)
    return sent


# --- Attendance --------------------------------------------------------------------------------


@transaction.atomic
def take_attendance(
    *, slot: Slot, marks: dict, structure=None, actor=None, peer=None, via: str = "web"
) -> int:
    """Records the roll call of a slot: enrolment id → status. Returns how many rows changed.

    Taken by staff of an owning structure, or by the session's peer facilitator (`peer`, no
    account, from their link). Only people seated in the session can be marked.
    """
    session = slot.session
    if peer is None:
        _check_owner(session, structure)
    elif not session.trainers.filter(person=peer).exists():
        raise PermissionDenied
    bad = [status for status in marks.values() if status not in AttendanceStatus.values]
    if bad:
        raise ValidationError("Choisissez présent·e, en retard, excusé·e ou absent·e pour chaque personne.")
    day = timezone.localtime(slot.starts_at).date()
    seated = {
        e.pk: e
        for e in session.enrolments.filter(expected_on(day), pk__in=list(marks)).select_related("person")
    }
    unknown = set(marks) - set(seated)
    if unknown:
        raise ValidationError("Une des personnes n'est pas inscrite à cette session ce jour-là.")
    existing = {a.enrolment_id: a for a in slot.attendances.filter(enrolment_id__in=list(marks))}
    now = timezone.now()
    user = actor if actor is not None and actor.is_authenticated else None
    changed, created = [], []
    for enrolment_id, status in marks.items():
        row = existing.get(enrolment_id)
        if row is None:
            created.append(
                Attendance(
                    slot=slot,
                    enrolment_id=enrolment_id,
                    person_id=seated[enrolment_id].person_id,
                    stage_id=session.stage_id,
                    status=status,
                    day=day,
                    recorded_at=now,
                    recorded_by=user,
                    recorded_by_peer=peer,
                )
            )
        elif row.status != status:
            row.status, row.recorded_at, row.recorded_by, row.recorded_by_peer = status, now, user, peer
            changed.append(row)
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(changed, ["status", "recorded_at", "recorded_by", "recorded_by_peer"])
    if created or changed:
        mark_dirty(programme_id=session.stage.programme_id, stage_id=session.stage_id, days=[day])
        record(
            action=Action.UPDATE,
            actor=actor,
            structure=structure or seated[next(iter(seated))].person.structure,
            obj=slot,
            fields=["presences"],
            detail=f"appel : {len(created) + len(changed)} présence(s)"
            + (" par un·e pair·e" if peer else ""),
            via=via,
        )
    return len(created) + len(changed)


# --- Progression and exits ---------------------------------------------------------------------


@transaction.atomic
def finish(
    *, enrolment: Enrolment, structure, actor, ended_on: date, reason: str = "", via: str = "web"
) -> Enrolment:
    """Completed (no reason) or left during the stage (with a reason)."""
    _check_owner(enrolment.session, structure)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(
            "Seule une personne inscrite (pas en attente ni annulée) peut terminer ou quitter l'étape."
        )
    if ended_on < enrolment.session.starts_on:
        raise ValidationError("La fin d'étape ne peut pas précéder le début de la session.")
    if reason and reason not in LeftReason.values:
        raise ValidationError("Motif de départ inconnu.")
    enrolment.status = EnrolmentStatus.LEFT if reason else EnrolmentStatus.COMPLETED
    enrolment.ended_on, enrolment.left_reason = ended_on, reason
    enrolment.save(update_fields=["status", "ended_on", "left_reason"])
    _mark_enrolment(enrolment)
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=enrolment,
        person=enrolment.person,
        fields=["status", "ended_on"],
        via=via,
    )
    stage = enrolment.session.stage
    label = (
        f"Étape terminée : {stage.name}"
        if not reason
        else f"A quitté l'étape {stage.name} ({enrolment.left_reason_label})"
    )
    _timeline(enrolment, label, actor)
    return enrolment


@transaction.atomic
def record_exit(
    *,
    programme: Programme,
    person,
    structure,
    actor,
    category: str,
    subtype: str,
    exited_on: date,
    via: str = "web",
) -> Exit:
    """Records how the person left the programme, and ends their live enrolments in it: they
    leave a session under way on the exit date (with a reason that follows the exit), and give
    up their seats in sessions not started by then and their places on waiting lists (the next
    person waiting is told). Each of those changes is audited and marks its days dirty."""
    if not owns(programme, structure) or person.structure_id != structure.pk:
        raise PermissionDenied
    if subtype not in EXIT_SUBTYPES.get(category, {}):
        raise ValidationError("Choisissez une catégorie de sortie et une précision qui en fait partie.")
    previous = Exit.objects.filter(programme=programme, person=person).first()
    exit_, _ = Exit.objects.update_or_create(
        programme=programme,
        person=person,
        defaults={"category": category, "subtype": subtype, "exited_on": exited_on, "recorded_by": actor},
    )
    days = [exited_on] + ([previous.exited_on] if previous else [])
    mark_dirty(programme_id=programme.pk, stage_id=None, days=days)
    record(
        action=Action.UPDATE if previous else Action.CREATE,
        actor=actor,
        structure=structure,
        obj=exit_,
        person=person,
        via=via,
    )
    label = f"Sortie de {programme.name} : {exit_.get_category_display()} — {exit_.subtype_label}"
    _event(person, structure, "sortie", label, actor)
    _end_enrolments(exit_, structure=structure, actor=actor, via=via)
    return exit_


def _left_reason(exit_: Exit) -> str:
    if exit_.category in DYNAMIC:
        return LeftReason.EMPLOYMENT
    return LeftReason.NO_NEWS if exit_.subtype == "sans_nouvelles" else LeftReason.OTHER


def _end_enrolments(exit_: Exit, *, structure, actor, via: str) -> None:
    live = (
        Enrolment.objects.filter(
            person_id=exit_.person_id,
            session__stage__programme_id=exit_.programme_id,
            status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING),
        )
        .select_related("session__stage__programme", "person__structure")
        .order_by("session__starts_on", "pk")
    )
    for enrolment in live:
        if enrolment.status == EnrolmentStatus.ENROLLED and enrolment.session.starts_on <= exit_.exited_on:
            finish(
                enrolment=enrolment,
                structure=structure,
                actor=actor,
                ended_on=exit_.exited_on,
                reason=_left_reason(exit_),
                via=via,
            )
        else:
            cancel(enrolment=enrolment, structure=structure, actor=actor, via=via)


@transaction.atomic
def mark_peer(*, person, structure, actor) -> Peer:
    if person.structure_id != structure.pk:
        raise PermissionDenied
    peer, created = Peer.objects.get_or_create(person=person, defaults={"marked_by": actor})
    if created:
        record(action=Action.CREATE, actor=actor, structure=structure, obj=peer, person=person)
        label = f"Devient {agree(person, 'pair', 'paire')} : accueille les nouvelles personnes"
        _event(person, structure, "pair", label, actor)
    return peer


@transaction.atomic
def record_diagnostic(*, person, structure, actor) -> None:
    """Until the diagnostic module exists: "diagnostic numérique réalisé", on the timeline."""
    if person.structure_id != structure.pk:
        raise PermissionDenied
    if not PersonEvent.objects.filter(person=person, kind=rules.DIAGNOSTIC_EVENT).exists():
        _event(person, structure, rules.DIAGNOSTIC_EVENT, "Diagnostic numérique réalisé", actor)
        record(action=Action.UPDATE, actor=actor, structure=structure, obj=person, fields=["diagnostic"])


# --- Teams -------------------------------------------------------------------------------------


def _profile(person) -> tuple:
    """What the automatic split mixes: gender, age band, education level, digital equipment."""
    band = ""
    if person.birth_date:
        band = str(min((timezone.localdate() - person.birth_date).days // 365 // 15, 4))
    return (person.gender or "", band, person.education_level or "", bool(person.has_computer))


@transaction.atomic
def split_teams(*, session: Session, structure, actor, teams: int) -> list[Team]:
    """Balanced teams: sizes differ by one at most, and profiles are dealt across teams in turn."""
    _check_owner(session, structure)
    seated = list(
        session.enrolments.filter(status=EnrolmentStatus.ENROLLED).select_related("person").order_by("pk")
    )
    if not 2 <= teams <= max(2, len(seated) // 2):
        raise ValidationError("Choisissez entre 2 équipes et une équipe pour deux personnes inscrites.")
    session.teams.all().delete()
    created = [Team.objects.create(session=session, name=f"Équipe {i + 1}") for i in range(teams)]
    # Sorting by profile then dealing round-robin puts people of one profile in different teams.
    seated.sort(key=lambda e: (_profile(e.person), e.pk))
    for i, enrolment in enumerate(seated):
        enrolment.team = created[i % teams]
    Enrolment.objects.bulk_update(seated, ["team"])
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=session,
        fields=["teams"],
        detail=f"{teams} équipes",
    )
    return created


@transaction.atomic
def assign_team(*, enrolment: Enrolment, team: Team | None, structure, actor) -> None:
    _check_owner(enrolment.session, structure)
    if team is not None and team.session_id != enrolment.session_id:
        raise PermissionDenied
    enrolment.team = team
    enrolment.save(update_fields=["team"])
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=enrolment,
        person=enrolment.person,
        fields=["team"],
    )

"""Readable "Objet" column of the structure's audit journal.

An audit event stores its object as a model name and a primary key ("appointment", "12"). The
journal shows a short French label instead, with a link when the viewer's structure may open the
object. Each kind of object is read once for the whole page, through the same scoped querysets as
the pages the links lead to: the page costs one query per kind shown, not one per event, and an
object the structure may not open keeps its bare number (not found and forbidden look the same).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from jalon.agenda.actions import places_for, rota_for
from jalon.agenda.models import Appointment, Participant
from jalon.people.models import Consent, Person, SensitiveNote
from jalon.programmes.models import (
    Enrolment,
    EntryRule,
    Exit,
    Peer,
    Programme,
    Session,
    Slot,
    Stage,
    Team,
    Trainer,
)
from jalon.programmes.models import Invitation as SessionInvitation
from jalon.referrals.models import (
    Intake,
    Orientation,
    PlanAction,
    PlanAxis,
    PlanObjective,
    ProspectionEntry,
    Referral,
    Referrer,
)
from jalon.structures.models import Invitation as MemberInvitation
from jalon.structures.models import Membership, Partnership, Structure
from jalon.users.models import ApiToken, User


@dataclass(frozen=True)
class Kind:
    noun: str  # shown with the number when the object is gone or not visible: "Rendez-vous n° 12"
    rows: Callable  # (membership) -> queryset of the objects the structure may open
    label: Callable  # (obj, viewer) -> "Rendez-vous du 03/12/2026 « Point d'étape »"
    url: Callable | None = None  # (obj, viewer) -> url or "" (no link)
    permission: str = "people.view"  # the link's page asks it


@dataclass(frozen=True)
class Viewer:
    membership: Membership
    user: User

    @property
    def structure(self) -> Structure:
        return self.membership.structure


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value:%d/%m/%Y}"


def _user_name(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _visible_people(structure) -> QuerySet:
    return Person.objects.for_structure(structure).values("pk")


def _session_label(session) -> str:
    return f"« {session.name} » du {_day(session.starts_on)}"


def _programme_rows(model, path: str, *related: str):
    """Rows reached from a programme the structure runs (`path` leads to the programme)."""

    def rows(membership):
        return model.objects.filter(**{f"{path}owners": membership.structure}).select_related(*related)

    return rows


def _url(name: str, attribute: str = "pk") -> Callable:
    return lambda obj, viewer: reverse(name, args=[getattr(obj, attribute)])


def _users(membership):
    # A user named in the journal acted in this structure; the link goes to their membership.
    member = Membership.objects.filter(structure=membership.structure, user=OuterRef("pk")).values("pk")[:1]
    return User.objects.annotate(membership_pk=Subquery(member))


KINDS: dict[str, Kind] = {
    "user": Kind(
        "Compte",
        _users,
        lambda user, viewer: f"Compte de {_user_name(user)}",
        lambda user, viewer: (
            reverse("structure_member_edit", args=[user.membership_pk]) if user.membership_pk else ""
        ),
        "structure.manage",
    ),
    "apitoken": Kind(
        "Jeton d'API",
        lambda m: ApiToken.objects.filter(
            user__in=Membership.objects.filter(structure=m.structure).values("user")
        ).select_related("user"),
        lambda token, viewer: f"Jeton d'API « {token.name} » de {_user_name(token.user)}",
        # The tokens page lists one's own tokens only.
        lambda token, viewer: reverse("api_tokens") if token.user_id == viewer.user.pk else "",
        "",
    ),
    "structure": Kind(
        "Structure",
        lambda m: Structure.objects.filter(pk=m.structure.pk),
        lambda structure, viewer: f"Structure {structure.name}",
        lambda structure, viewer: reverse("structure_settings"),
        "structure.manage",
    ),
    "membership": Kind(
        "Membre",
        lambda m: Membership.objects.filter(structure=m.structure).select_related("user"),
        lambda membership, viewer: f"Membre {_user_name(membership.user)} ({membership.get_role_display()})",
        _url("structure_member_edit"),
        "structure.manage",
    ),
    "partnership": Kind(
        "Partenariat",
        lambda m: Partnership.objects.filter(Q(source=m.structure) | Q(target=m.structure)).select_related(
            "source", "target"
        ),
        lambda p, viewer: (
            "Partenariat avec " + (p.target.name if p.source_id == viewer.structure.pk else p.source.name)
        ),
    ),
    "invitation@structures": Kind(
        "Invitation",
        lambda m: MemberInvitation.objects.filter(structure=m.structure),
        lambda invitation, viewer: f"Invitation d'un membre ({invitation.get_role_display()})",
        lambda invitation, viewer: reverse("structure_members"),
        "structure.manage",
    ),
    "consent": Kind(
        "Consentement",
        lambda m: Consent.objects.filter(person__in=_visible_people(m.structure)),
        lambda consent, viewer: f"Consentement : {consent.get_purpose_display()}",
        _url("person_detail", "person_id"),
    ),
    "sensitivenote": Kind(
        "Note sensible",
        lambda m: SensitiveNote.objects.filter(person__in=_visible_people(m.structure)),
        lambda note, viewer: "Note sensible (handicap, santé)",
        # Only members with the need-to-know access may open the notes.
        lambda note, viewer: (
            reverse("person_sensitive", args=[note.person_id]) if viewer.membership.need_to_know else ""
        ),
    ),
    "referrer": Kind(
        "Relais",
        lambda m: Referrer.objects.for_structure(m.structure),
        lambda referrer, viewer: f"Relais {referrer.name}",
        _url("referrer_detail"),
    ),
    "prospectionentry": Kind(
        "Prospection",
        lambda m: ProspectionEntry.objects.for_structure(m.structure).select_related("referrer"),
        lambda entry, viewer: f"Prospection auprès du relais {entry.referrer.name}",
        _url("referrer_detail", "referrer_id"),
    ),
    "referral": Kind(
        "Demande",
        lambda m: Referral.objects.for_structure(m.structure),
        lambda referral, viewer: f"Demande de {referral.display_name}",
        _url("referral_detail"),
    ),
    "orientation": Kind(
        "Orientation",
        lambda m: Orientation.objects.for_structure(m.structure).select_related("target_structure"),
        lambda orientation, viewer: f"Orientation vers {orientation.target_name}",
        _url("orientation_detail"),
    ),
    "intake": Kind(
        "Point de situation",
        lambda m: Intake.objects.for_structure(m.structure),
        lambda intake, viewer: f"Point de situation du {_day(intake.created_at)}",
        _url("person_intake", "person_id"),
    ),
    "planaxis": Kind(
        "Plan d'action",
        lambda m: PlanAxis.objects.for_structure(m.structure),
        lambda axis, viewer: f"Plan d'action, axe « {axis.title} »",
        _url("person_plan", "person_id"),
    ),
    "planobjective": Kind(
        "Plan d'action",
        lambda m: PlanObjective.objects.for_structure(m.structure).select_related("axis"),
        lambda objective, viewer: f"Plan d'action, objectif « {objective.title} »",
        lambda objective, viewer: reverse("person_plan", args=[objective.axis.person_id]),
    ),
    "planaction": Kind(
        "Plan d'action",
        lambda m: PlanAction.objects.for_structure(m.structure),
        lambda action, viewer: f"Plan d'action, action « {action.title} »",
        _url("person_plan", "person_id"),
    ),
    "place": Kind(
        "Lieu",
        lambda m: places_for(m.structure),
        lambda place, viewer: f"Lieu {place.name}",
        _url("place_detail"),
    ),
    "permanence": Kind(
        "Permanence",
        lambda m: rota_for(m.structure),
        lambda permanence, viewer: f"Permanence {permanence.label} ({permanence.place.name})",
        _url("place_detail", "place_id"),
    ),
    "appointment": Kind(
        "Rendez-vous",
        lambda m: Appointment.objects.for_structure(m.structure),
        lambda appointment, viewer: f"Rendez-vous du {_day(appointment.starts_at)} « {appointment.title} »",
        _url("appointment_detail"),
    ),
    "participant": Kind(
        "Participation à un rendez-vous",
        lambda m: Participant.objects.for_structure(m.structure).select_related("appointment"),
        lambda p, viewer: f"Participation au rendez-vous du {_day(p.appointment.starts_at)}",
        _url("appointment_detail", "appointment_id"),
    ),
    "programme": Kind(
        "Programme",
        lambda m: Programme.objects.run_by(m.structure),
        lambda programme, viewer: f"Programme {programme.name}",
        _url("programme_detail"),
    ),
    "stage": Kind(
        "Étape",
        _programme_rows(Stage, "programme__", "programme"),
        lambda stage, viewer: f"Étape « {stage.name} » du programme {stage.programme.name}",
        _url("programme_detail", "programme_id"),
    ),
    "entryrule": Kind(
        "Condition d'entrée",
        _programme_rows(EntryRule, "stage__programme__", "stage"),
        lambda rule, viewer: f"Condition d'entrée de l'étape « {rule.stage.name} »",
        lambda rule, viewer: reverse("programme_detail", args=[rule.stage.programme_id]),
    ),
    "session": Kind(
        "Session",
        _programme_rows(Session, "stage__programme__", "stage"),
        lambda session, viewer: f"Session {_session_label(session)}",
        _url("session_detail"),
    ),
    "slot": Kind(
        "Créneau",
        _programme_rows(Slot, "session__stage__programme__", "session__stage"),
        lambda slot, viewer: f"Créneau du {slot}, session « {slot.session.name} »",
        _url("session_detail", "session_id"),
    ),
    "trainer": Kind(
        "Animation",
        _programme_rows(Trainer, "session__stage__programme__", "session__stage"),
        lambda trainer, viewer: f"Animation de la session {_session_label(trainer.session)}",
        _url("session_detail", "session_id"),
    ),
    "team": Kind(
        "Équipe",
        _programme_rows(Team, "session__stage__programme__", "session__stage"),
        lambda team, viewer: f"Équipe {team.name}, session {_session_label(team.session)}",
        _url("session_detail", "session_id"),
    ),
    "enrolment": Kind(
        "Inscription",
        _programme_rows(Enrolment, "session__stage__programme__", "session__stage"),
        lambda enrolment, viewer: f"Inscription à la session {_session_label(enrolment.session)}",
        _url("session_detail", "session_id"),
    ),
    "invitation@programmes": Kind(
        "Invitation",
        _programme_rows(SessionInvitation, "session__stage__programme__", "session__stage"),
        lambda invitation, viewer: f"Invitation à la session {_session_label(invitation.session)}",
        _url("session_detail", "session_id"),
    ),
    "exit": Kind(
        "Sortie",
        _programme_rows(Exit, "programme__", "programme"),
        lambda exit_, viewer: f"Sortie du programme {exit_.programme.name} ({exit_.get_category_display()})",
        _url("programme_detail", "programme_id"),
    ),
    "peer": Kind(
        "Pair·e",
        lambda m: Peer.objects.filter(person__in=_visible_people(m.structure)),
        lambda peer, viewer: f"Pair·e depuis le {_day(peer.since)}",
        _url("person_detail", "person_id"),
    ),
}


def _kind_key(event) -> str:
    # Two models are named "invitation": a structure invites a member (no person), a programme
    # invites a person to a session (the event names the person).
    if event.object_type == "invitation":
        return "invitation@programmes" if event.person_id else "invitation@structures"
    return event.object_type


def _person_label(person_id, person, visible: set[int]) -> tuple[str, str]:
    if person is not None and person_id in visible:
        return person.full_name, reverse("person_detail", args=[person_id])
    return f"Dossier n° {person_id}", ""


def describe(events: list, membership: Membership, user: User) -> list:
    """Set `object_label`, `object_url`, `person_label` and `person_url` on each event."""
    viewer = Viewer(membership=membership, user=user)
    wanted: dict[str, set[str]] = defaultdict(set)
    person_ids: set[int] = set()
    for event in events:
        key = _kind_key(event)
        if key == "person":
            if event.person_id:
                person_ids.add(event.person_id)
        elif key in KINDS and event.object_id.isdigit():
            wanted[key].add(event.object_id)
        if event.person_id:
            person_ids.add(event.person_id)

    visible_people = set()
    if person_ids:
        visible_people = set(
            Person.objects.for_structure(membership.structure)
            .filter(pk__in=person_ids)
            .values_list("pk", flat=True)
        )
    found: dict[str, dict[str, object]] = {}
    for key, ids in wanted.items():
        found[key] = {str(obj.pk): obj for obj in KINDS[key].rows(membership).filter(pk__in=ids)}

    for event in events:
        event.person_label, event.person_url = "", ""
        if event.person_id:
            event.person_label, event.person_url = _person_label(
                event.person_id, event.person, visible_people
            )
        key = _kind_key(event)
        if key == "person":
            if event.person_id:
                event.object_label, event.object_url = event.person_label, event.person_url
            else:  # the file was deleted since
                event.object_label, event.object_url = f"Dossier n° {event.object_id}", ""
            event.person_label = event.person_url = ""
            continue
        kind = KINDS.get(key)
        if kind is None:
            event.object_label = f"Élément n° {event.object_id}" if event.object_id else ""
            event.object_url = ""
            continue
        obj = found.get(key, {}).get(event.object_id)
        if obj is None:
            event.object_label, event.object_url = f"{kind.noun} n° {event.object_id}", ""
            continue
        event.object_label = kind.label(obj, viewer)
        may_open = kind.url is not None and (not kind.permission or membership.can(kind.permission))
        event.object_url = kind.url(obj, viewer) if may_open else ""
    return events

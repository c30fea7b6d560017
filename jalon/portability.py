"""A person's data export: the right of access and portability (GDPR articles 15 and 20).

One assembly, read by the person file (JSON and a readable PDF) and by the API (JSON): the file,
consents, timeline, intake and needs, action plan, appointments, programme enrolments with their
attendance and exits, referrals and orientations, and who read or changed the file.

Only the owning structure exports, and only what it holds: a partner's intake or plan, a
co-runner's rows about the person, another structure's appointments never leave with it.
Sensitive notes (health, disability) are included only for those who may read them (the referent
or need-to-know members), and that read is audited as any other.

It reads across apps (people, referrals, agenda, programmes): it sits beside jalon.indicators,
above the domain apps, so both the pages and the API can call it.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from jalon.agenda.models import Participant
from jalon.audit.actions import record
from jalon.audit.models import Action, AuditEvent
from jalon.people import actions as people_actions
from jalon.people.models import Person
from jalon.programmes.models import ATTENDED, Attendance, Enrolment, Exit
from jalon.referrals.models import (
    Intake,
    IntakeNeed,
    Orientation,
    PlanAction,
    PlanAxis,
    PlanObjective,
    Referral,
)

FORMAT_VERSION = "1"
# The journal of reads can be long (every list that showed the name): the latest are enough to
# answer "who read my file", and the export stays bounded.
ACCESS_LOG_LIMIT = 1000


def _label(obj, field: str) -> str:
    value = getattr(obj, field)
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if display and value not in ("", None) else (value or "")


def _name(user) -> str:
    if user is None:
        return ""
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.email


def _person(person: Person) -> dict:
    return {
        "id": person.pk,
        "structure": person.structure.name,
        "referent": _name(person.referent),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "gender": _label(person, "gender"),
        "phone": person.phone,
        "email": person.email,
        "preferred_channel": _label(person, "preferred_channel"),
        "commune": person.commune.name if person.commune_id else "",
        "employment_status": _label(person, "employment_status"),
        "france_travail_since": person.france_travail_since,
        "long_term_unemployed": person.long_term_unemployed,
        "rsa": person.rsa,
        "ass": person.ass,
        "aah": person.aah,
        "rqth": person.rqth,
        "qpv": person.qpv,
        "education_level": _label(person, "education_level"),
        "has_smartphone": person.has_smartphone,
        "has_computer": person.has_computer,
        "has_internet": person.has_internet,
        "languages": person.languages,
        "created_at": person.created_at,
        "last_contact_at": person.last_contact_at,
    }


def _consents(person: Person) -> list[dict]:
    return [
        {
            "purpose": _label(c, "purpose"),
            "target_structure": c.target_structure.name if c.target_structure_id else "",
            "text": c.text,
            "text_version": c.text_version,
            "method": _label(c, "method"),
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in person.consents.select_related("target_structure").order_by("given_at", "pk")
    ]


def _timeline(person: Person) -> list[dict]:
    return [
        {"at": e.occurred_at, "label": e.label, "structure": e.structure.name if e.structure_id else ""}
        for e in person.events.select_related("structure").order_by("occurred_at", "pk")
    ]


def _intakes(person: Person, structure) -> list[dict]:
    intakes = (
        Intake.objects.owned_by(structure)
        .filter(person=person)
        .select_related("author")
        .prefetch_related(Prefetch("needs", queryset=IntakeNeed.objects.order_by("priority", "pk")))
        .order_by("held_on", "pk")
    )
    return [
        {
            "held_on": i.held_on,
            "author": _name(i.author),
            "summary": i.summary,
            "needs": [
                {"domain": _label(n, "domain"), "priority": _label(n, "priority"), "detail": n.detail}
                for n in i.needs.all()
            ],
        }
        for i in intakes
    ]


def _plan(person: Person, structure) -> list[dict]:
    axes = (
        PlanAxis.objects.filter(person=person, structure=structure)
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=PlanObjective.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("actions", queryset=PlanAction.objects.order_by("pk").select_related("owner"))
                ),
            )
        )
        .order_by("position", "pk")
    )
    return [
        {
            "axis": a.title,
            "domain": _label(a, "domain"),
            "objectives": [
                {
                    "objective": o.title,
                    "actions": [
                        {"action": x.title, "due_on": x.due_on, "owner": _name(x.owner), "done_at": x.done_at}
                        for x in o.actions.all()
                    ],
                }
                for o in a.objectives.all()
            ],
        }
        for a in axes
    ]


def _appointments(person: Person, structure) -> list[dict]:
    rows = (
        Participant.objects.for_structure(structure)
        .of_person(person)
        .select_related("appointment__place", "appointment__organiser")
        .order_by("appointment__starts_at", "pk")
    )
    return [
        {
            "title": p.appointment.title,
            "kind": _label(p.appointment, "kind"),
            "starts_at": p.appointment.starts_at,
            "ends_at": p.appointment.ends_at,
            "place": p.appointment.where,
            "with": _name(p.appointment.organiser),
            "cancelled_at": p.appointment.cancelled_at,
            "outcome": _label(p, "outcome"),
        }
        for p in rows
    ]


def _programmes(person: Person, structure) -> dict:
    # The rows of the programmes the structure runs (co-run included), about this person only:
    # nothing of a programme the structure does not run, no one else's row.
    enrolments = (
        Enrolment.objects.in_programmes_of(structure)
        .filter(person=person)
        .select_related("session__stage__programme", "team")
        .prefetch_related(
            Prefetch(
                "attendances", queryset=Attendance.objects.select_related("slot").order_by("slot__starts_at")
            )
        )
        .annotate(attended=Count("attendances", filter=Q(attendances__status__in=ATTENDED)))
        .order_by("session__starts_on", "pk")
    )
    exits = (
        Exit.objects.in_programmes_of(structure)
        .filter(person=person)
        .select_related("programme")
        .order_by("exited_on", "pk")
    )
    return {
        "enrolments": [
            {
                "programme": e.session.stage.programme.name,
                "stage": e.session.stage.name,
                "session": e.session.name,
                "starts_on": e.session.starts_on,
                "status": _label(e, "status"),
                "team": e.team.name if e.team_id else "",
                "ended_on": e.ended_on,
                "left_reason": _label(e, "left_reason"),
                "attended": e.attended,
                "attendance": [
                    {"slot": a.slot.starts_at, "status": _label(a, "status")} for a in e.attendances.all()
                ],
            }
            for e in enrolments
        ],
        "exits": [
            {
                "programme": x.programme.name,
                "category": _label(x, "category"),
                "subtype": x.subtype_label,
                "exited_on": x.exited_on,
            }
            for x in exits
        ],
    }


def _referrals(person: Person, structure) -> dict:
    referrals = (
        Referral.objects.for_structure(structure)
        .filter(person=person)
        .select_related("referrer")
        .order_by("created_at", "pk")
    )
    orientations = (
        Orientation.objects.for_structure(structure)
        .filter(person=person)
        .select_related("from_structure", "target_structure")
        .order_by("created_at", "pk")
    )
    return {
        "referrals": [
            {
                "received_at": r.created_at,
                "source": _label(r, "source"),
                "referrer": str(r.referrer) if r.referrer_id else "",
                "message": r.message,
                "referrer_note": r.referrer_note,
                "status": _label(r, "status"),
            }
            for r in referrals
        ],
        "orientations": [
            {
                "created_at": o.created_at,
                "from": o.from_structure.name,
                "to": o.target_structure.name if o.target_structure_id else o.target_label,
                "motive": o.motive,
                "status": _label(o, "status"),
                "answered_at": o.answered_at,
            }
            for o in orientations
        ],
    }


def _access_log(person: Person) -> list[dict]:
    events = (
        AuditEvent.objects.filter(person=person)
        .select_related("actor", "structure")
        .order_by("-at", "-id")[:ACCESS_LOG_LIMIT]
    )
    return [
        {
            "at": e.at,
            "action": _label(e, "action"),
            "who": _name(e.actor),
            "structure": e.structure.name if e.structure_id else "",
            "via": _label(e, "via"),
        }
        for e in events
    ]


def person_data(person: Person, membership) -> dict:
    """Everything the structure of `membership` holds about `person`, as plain values (dates
    stay dates: the JSON encoder and the PDF template format them)."""
    structure = membership.structure
    data = {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "exported_by": structure.name,
        "person": _person(person),
        "consents": _consents(person),
        "timeline": _timeline(person),
        "intakes": _intakes(person, structure),
        "plan": _plan(person, structure),
        "appointments": _appointments(person, structure),
        **_programmes(person, structure),
        **_referrals(person, structure),
        "access_log": _access_log(person),
    }
    if people_actions.can_read_sensitive(person=person, membership=membership):
        notes = people_actions.read_sensitive_notes(person=person, membership=membership)
        data["sensitive_notes"] = [
            {"category": _label(n, "category"), "created_at": n.created_at, "text": n.text} for n in notes
        ]
    else:
        data["sensitive_notes"] = None  # held, but not readable by this member: see the guide
    return data


def json_ready(value):
    """`value` with dates as ISO 8601 text, for json.dumps and the API."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


@transaction.atomic
def export_person(*, person: Person, membership, file_format: str, via: str = "web") -> dict:
    """The person's data for their structure, and the export event in the file's journal.

    Only the owning structure exports (a shared file is read, never exported by a partner)."""
    if person.structure_id != membership.structure_id:
        raise Person.DoesNotExist
    data = person_data(person, membership)
    record(
        action=Action.EXPORT,
        actor=membership.user,
        structure=membership.structure,
        obj=person,
        detail=f"données de la personne ({file_format})",
        via=via,
    )
    return data

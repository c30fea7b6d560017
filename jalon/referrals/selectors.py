"""Reads of referrals, intakes, plans and orientations that the pages and the API share: the
inbox filters and its keyset on (created_at, id), a person's plan, the orientation lists."""

import base64
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from jalon.people.models import Person

from .models import (
    OPEN_STATUSES,
    Intake,
    Need,
    Orientation,
    OrientationStatus,
    PlanAction,
    PlanAxis,
    PlanObjective,
    Referral,
    ReferralStatus,
)


def keyset_cursor(referral) -> str:
    raw = f"{referral.created_at.isoformat()}|{referral.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def keyset_after(queryset, raw: str):
    """Keyset on (created_at, id) descending: page 400 costs what page 1 costs."""
    if not raw:
        return queryset
    try:
        at, pk = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().split("|")
        at, pk = datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError):
        return queryset
    return queryset.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))


# --- Inbox ---------------------------------------------------------------------------------------


def inbox(structure, *, status: str = "", who: str = "", user=None, query: str = ""):
    """The structure's referrals as the inbox filters them.

    `status` empty means "à traiter" (the open statuses), "toutes" every status, else one status;
    `who` is "moi" (assigned to `user`) or "personne" (assigned to nobody).
    """
    queryset = Referral.objects.for_structure(structure)
    if status == "":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status != "toutes":
        queryset = queryset.filter(status=status)
    if who == "moi":
        queryset = queryset.filter(assigned_to=user)
    elif who == "personne":
        queryset = queryset.filter(assigned_to__isnull=True)
    return queryset.matching(query)


def known_people(referral: Referral):
    """Files of the structure that may be this person: same phone, same e-mail, or name + birth date."""
    from jalon.text import normalize

    conditions = Q()
    if referral.phone:
        conditions |= Q(phone=referral.phone)
    if referral.email:
        conditions |= Q(email=referral.email)
    if referral.birth_date and referral.last_name:
        conditions |= Q(
            search_name=normalize(f"{referral.last_name} {referral.first_name}"),
            birth_date=referral.birth_date,
        )
    if not conditions:
        return Person.objects.none()
    return Person.objects.owned_by(referral.structure).filter(conditions).order_by("pk")


def welcomed_referral(person, structure):
    """The referral through which `structure` welcomed the person, if any (an orientation cites it)."""
    return (
        Referral.objects.for_structure(structure)
        .filter(person=person, status=ReferralStatus.WELCOMED)
        .first()
    )


# --- Intake and action plan ----------------------------------------------------------------------


def referral_needs_for_intake(person, structure) -> tuple[list[str], list[Referral]]:
    """Needs ticked in the referrals that brought the person, not yet looked at in an intake.

    The referral form and the intake share the same life domains (Need), so a need maps to the
    intake domain of the same code. An intake held since a referral arrived has taken it in.
    """
    later_intake = Intake.objects.owned_by(structure).filter(
        person=person, created_at__gt=OuterRef("created_at")
    )
    referrals = list(
        Referral.objects.for_structure(structure)
        .filter(person=person)
        .filter(~Exists(later_intake))
        .select_related("referrer")
        .order_by("created_at", "pk")
    )
    ticked = {need for referral in referrals for need in referral.needs}
    referrals = [referral for referral in referrals if referral.needs]
    return [code for code in Need.values if code in ticked], referrals


def intakes_of(person):
    """The person's intakes, newest first, with their needs (the file is already opened)."""
    return Intake.objects.filter(person=person).select_related("author").prefetch_related("needs")


def latest_intake(person):
    return Intake.objects.filter(person=person).prefetch_related("needs").first()


def plan_of(person):
    """The three levels of the person's action plan, read in three queries."""
    return PlanAxis.objects.filter(person=person).prefetch_related(
        Prefetch(
            "objectives",
            queryset=PlanObjective.objects.prefetch_related(
                Prefetch("actions", queryset=PlanAction.objects.select_related("owner"))
            ),
        )
    )


def open_plan_actions(structure, owner, *, due_by=None):
    """Actions of the structure's plans that `owner` has to do (by `due_by` when given)."""
    queryset = PlanAction.objects.owned_by(structure).filter(owner=owner, done_at__isnull=True)
    if due_by is not None:
        queryset = queryset.filter(due_on__lte=due_by)
    return queryset


# --- Orientations --------------------------------------------------------------------------------


def orientations(structure, *, received: bool = False, status: str = ""):
    """The orientations the structure sent (or received), in `status` when one is given."""
    queryset = (
        Orientation.objects.received_by(structure) if received else Orientation.objects.sent_by(structure)
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def orientations_waiting(structure, user, *, now=None) -> dict:
    """How many proposed orientations wait for the structure's answer, and how many that `user`
    sent are late (no answer after REMIND_AFTER): one aggregate for the home page."""
    late = (now or timezone.now()) - Orientation.REMIND_AFTER
    received = Q(target_structure=structure)
    sent = Q(from_structure=structure, from_user=user)
    if structure is None:
        return {"received": 0, "late": 0}
    # The two conditions are the scope (a subset of for_structure): adding for_structure's OR
    # on top would only give PostgreSQL's planner a worse filter to guess about.
    return Orientation.objects.filter(received | sent, status=OrientationStatus.PROPOSED).aggregate(
        received=Count("pk", filter=received),
        late=Count("pk", filter=sent & Q(created_at__lte=late)),
    )

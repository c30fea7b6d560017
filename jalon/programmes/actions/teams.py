"""Teams of a session: a balanced automatic split, or one person moved by hand."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action

from ..models import Enrolment, EnrolmentStatus, Session, Team
from .common import _check_owner


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

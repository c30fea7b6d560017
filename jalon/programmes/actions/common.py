"""What every programme change shares: the ownership check, the session lock, the days to
rebuild (DirtyDay) and the line on the person's timeline."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jalon.people.models import PersonEvent

from ..models import DirtyDay, Enrolment, Programme, Session


def mark_dirty(*, programme_id: int, stage_id: int | None, days) -> None:
    """The days to rebuild, in the caller's transaction; once it commits, a refresh is queued
    (coalesced: see tasks.queue_refresh), so dashboards show the change within moments."""
    from ..tasks import queue_refresh  # tasks import this module

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


def _event(person, structure, kind: str, label: str, actor) -> None:
    """One line of the person's timeline (the person file shows the pathway there)."""
    user = actor if actor is not None and actor.is_authenticated else None
    PersonEvent.objects.create(person=person, structure=structure, kind=kind, label=label[:255], actor=user)


def _timeline(enrolment: Enrolment, label: str, actor) -> None:
    _event(enrolment.person, enrolment.person.structure, "parcours", label, actor)

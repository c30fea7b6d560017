"""Scoping of the programme pages: an object of a programme the current structure runs, else 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from jalon.audit.actions import record_person_reads
from jalon.programmes import selectors
from jalon.programmes.models import Enrolment, Programme, Session, Stage
from jalon.www.scoping import require


def _programme(request, pk: int, permission: str = "people.view") -> Programme:
    membership = require(request, permission)
    return _found(selectors.programme_for(membership.structure, pk))


def _stage(request, pk: int, permission: str) -> Stage:
    membership = require(request, permission)
    return _found(selectors.stage_for(membership.structure, pk))


def _session(request, pk: int, permission: str = "people.view") -> Session:
    membership = require(request, permission)
    return _found(selectors.session_for(membership.structure, pk))


def _enrolment(request, session: Session, pk: int) -> Enrolment:
    """An enrolment of `session` whose person belongs to the current structure, else 404."""
    return _found(selectors.enrolment_for(request.membership.structure, pk, session=session))


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _record_reads(request, enrolments, detail: str, *, structure=None, via: str | None = None) -> None:
    """One read event per file of the structure's own people shown (one statement)."""
    structure = structure or request.membership.structure
    record_person_reads(
        actor=request.user,
        structure=structure,
        person_ids=selectors.own_person_ids(enrolments, structure),
        detail=detail,
        via=via,
    )

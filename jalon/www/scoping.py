"""Helpers every view uses to stay inside the current structure."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from jalon.people.models import Person


def require_membership(request):
    if request.membership is None:
        raise Http404("Aucune structure.")
    return request.membership


def require(request, permission: str):
    membership = require_membership(request)
    if not membership.can(permission):
        raise PermissionDenied
    return membership


def person_for_read(request, pk: int) -> Person:
    """A file the current structure may open (own or shared with consent), else 404."""
    membership = require(request, "people.view")
    person = (
        Person.objects.for_structure(membership.structure)
        .select_related("structure", "referent", "commune")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404
    return person


def person_for_edit(request, pk: int) -> Person:
    """A file the current structure owns and the user may edit, else 404 (or 403 for the role)."""
    membership = require_membership(request)
    person = (
        Person.objects.owned_by(membership.structure)
        .select_related("structure", "referent", "commune")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404
    if not membership.can("people.edit"):
        raise PermissionDenied
    return person

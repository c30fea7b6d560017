"""Helpers the writes of every section share."""

from django.core.exceptions import PermissionDenied

from jalon.people.models import PersonEvent


def _timeline(person, *, kind, label, actor, structure):
    PersonEvent.objects.create(person=person, kind=kind, label=label, actor=actor, structure=structure)


def _own(person, structure):
    if person.structure_id != structure.pk:
        raise PermissionDenied("Seule la structure référente modifie ce dossier.")

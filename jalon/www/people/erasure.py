"""Erasure of a person file (RGPD art. 17, "droit à l'oubli"), from the file's page.

The structure's admin or coordination decides, after a fresh login and a confirmation page; a
legal hold (jalon.people.erasure.legal_holds) is shown in French instead of the button.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.people import erasure
from jalon.people.models import Person
from jalon.www import confirm
from jalon.www.account.reauth import require_recent_login
from jalon.www.scoping import require_membership


@confirm.get_or_post
def person_erase(request, pk: int):
    membership = require_membership(request)
    # Only the referent structure erases; a file shared with it is "not found" like any other.
    person = Person.objects.owned_by(membership.structure).select_related("structure").filter(pk=pk).first()
    if person is None:
        raise Http404
    if not membership.can("people.erase"):
        raise PermissionDenied
    require_recent_login(request)
    back_url = reverse("person_detail", args=[person.pk])
    if person.anonymised_at is not None:
        messages.info(request, "Ce dossier est déjà anonymisé.")
        return redirect(back_url)
    if not confirm.confirmed(request):
        # The page names the person: the read is traced like any other.
        record(action=Action.READ, actor=request.user, structure=membership.structure, obj=person)
        holds = erasure.legal_holds(person)
        if holds:
            return _refused(request, person, holds, back_url)
        return confirm.page(
            request,
            title=f"Effacer le dossier de {person.full_name} ?",
            consequences=[
                "Le nom, le prénom, le téléphone, l'e-mail, la commune et la date de naissance "
                "(sauf l'année) sont effacés.",
                "Les notes, les informations sensibles, le plan d'action et l'historique sont supprimés.",
                "Les messages qui n'étaient pas encore partis sont annulés.",
                "Restent, sans nom : les inscriptions, les présences et les sorties, pour les statistiques.",
                "Cet effacement ne pourra pas être annulé.",
            ],
            button="Oui, effacer le dossier",
            back_url=back_url,
        )
    try:
        erasure.erase_person(person=person, structure=membership.structure, actor=request.user)
    except erasure.ErasureRefused as refused:
        return _refused(request, person, refused.holds, back_url)
    messages.success(
        request, "Le dossier est effacé : il ne contient plus rien qui permette de reconnaître la personne."
    )
    return redirect(back_url)


def _refused(request, person, holds, back_url):
    return render(
        request,
        "people/erase_refused.html",
        {"person": person, "holds": holds, "back_url": back_url},
        status=409 if request.method == "POST" else 200,
    )

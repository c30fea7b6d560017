"""Registration from an invitation link, without an account."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jalon.links import LinkError
from jalon.programmes import actions, links
from jalon.programmes.models import EnrolmentStatus, Invitation
from jalon.www.errors import refused


@login_not_required
@never_cache
def programme_registration(request, token: str):
    try:
        invitation_id = links.resolve_registration(token)
    except LinkError as exc:
        return refused(request, str(exc))
    invitation = (
        Invitation.objects.filter(pk=invitation_id)
        .select_related("session__stage__programme", "person__structure")
        .first()
    )
    if invitation is None or invitation.session.starts_on < timezone.localdate():
        return refused(request, "revoque")
    session, person = invitation.session, invitation.person
    enrolment = session.enrolments.filter(person=person).exclude(status=EnrolmentStatus.CANCELLED).first()
    error = ""
    if request.method == "POST" and enrolment is None:
        try:
            enrolment = actions.enrol(
                session=session, person=person, structure=person.structure, actor=None, via="link"
            )
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [])) or "Inscription impossible : appelez la structure."
    return render(
        request,
        "programmes/registration.html",
        {
            "session": session,
            "slots": list(session.slots.all()),
            "structure": person.structure,
            "first_name": person.first_name,
            "enrolment": enrolment,
            "error": error,
        },
    )

"""What programmes keep about a person, for retention and erasure (jalon.people.retention).

Enrolments, attendance and exits hold no identifying data: anonymisation keeps them, so the
funder's counts and the dynamic-exit rate do not change. They are also the legal holds.
"""

from datetime import timedelta

from django.db.models import Max, OuterRef, Subquery

from jalon.people.retention import Holder, register_holder

from .models import Attendance, Enrolment, EnrolmentStatus, Exit

# After an exit, the file is needed for the 3-month follow-up ("sortie dynamique") and the funder's
# report on that period (FSE+ checks the evidence of each participant counted).
EXIT_HOLD = timedelta(days=183)


def _latest(model, field):
    return Subquery(
        model.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(m=Max(field))
        .values("m")[:1]
    )


def last_contact():
    return [
        _latest(Attendance, "recorded_at"),
        _latest(Enrolment, "created_at"),
        _latest(Exit, "recorded_at"),
    ]


def legal_holds(person, today) -> list[str]:
    holds = []
    open_enrolments = (
        Enrolment.objects.filter(
            person=person, status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING]
        )
        .filter(ended_on__isnull=True)
        .select_related("session__stage__programme")
        .order_by("pk")
    )
    for enrolment in open_enrolments:
        programme = enrolment.session.stage.programme
        holds.append(
            f"Inscription en cours au programme « {programme.name} » : terminez ou annulez "
            "l'inscription d'abord (les présences comptent dans le bilan au financeur)."
        )
    for exit in Exit.objects.filter(person=person, exited_on__gt=today - EXIT_HOLD).select_related(
        "programme"
    ):
        until = exit.exited_on + EXIT_HOLD
        holds.append(
            f"Sortie du programme « {exit.programme.name} » le {exit.exited_on:%d/%m/%Y} : le suivi à "
            f"3 mois et le bilan au financeur demandent de garder le dossier jusqu'au {until:%d/%m/%Y}."
        )
    return holds


register_holder(Holder(name="programmes", last_contact=last_contact, legal_holds=legal_holds))

"""What the referral app keeps about a person, for retention and erasure (jalon.people.retention)."""

from django.db.models import Max, OuterRef, Subquery

from jalon.people.erasure import ANONYMOUS_NAME
from jalon.people.retention import UNFOLLOWED_REFERRAL_MONTHS, Holder, Purge, months_before, register_holder
from jalon.text import normalize

from .models import (
    Intake,
    IntakeNeed,
    Orientation,
    PlanAxis,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
)


def _latest(queryset, field):
    return Subquery(
        queryset.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(m=Max(field))
        .values("m")[:1]
    )


def anonymise(person) -> None:
    referrals = Referral.objects.filter(person=person)
    # Statuses, dates, source and referrer stay: the referrer's and the inbox's counts need them.
    referrals.update(
        first_name=ANONYMOUS_NAME,
        last_name="",
        phone="",
        email="",
        search_name=normalize(ANONYMOUS_NAME),
        birth_date=None,
        commune=None,
        message="",
        referrer_note="",
        best_time="",
    )
    ReferralEvent.objects.filter(referral__in=referrals).update(note="")
    Intake.objects.filter(person=person).update(summary="")
    IntakeNeed.objects.filter(intake__person=person).update(detail="")
    # The action plan is free text about the person from end to end: deleted, not blanked.
    PlanAxis.objects.filter(person=person).delete()
    Orientation.objects.filter(person=person).update(motive="", answer_note="", answered_by_name="")


def last_contact():
    return [
        _latest(Intake.objects.all(), "created_at"),
        _latest(Orientation.objects.all(), "status_changed_at"),
        _latest(Referral.objects.all(), "status_changed_at"),
    ]


def purges(now):
    # Sent through a public form or a referrer's link, never contacted nor linked to a file.
    unfollowed = Referral.objects.filter(
        source__in=[ReferralSource.LINK, ReferralSource.SELF],
        person__isnull=True,
        first_contact_at__isnull=True,
        status__in=[ReferralStatus.NEW, ReferralStatus.CLOSED],
        created_at__lt=months_before(now, UNFOLLOWED_REFERRAL_MONTHS),
    )
    return [Purge("referrals", unfollowed)]


register_holder(Holder(name="referrals", anonymise=anonymise, last_contact=last_contact, purges=purges))

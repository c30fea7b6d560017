"""Self-booking through a signed link: who the link stands for, the booking, sending the link."""

from django.core.exceptions import ValidationError
from django.db import transaction

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.referrals.models import Referral, ReferralStatus
from jalon.structures.models import Structure

from .. import links
from ..models import Participant
from ..selectors import (
    parse_slot,
    upcoming_for,
)
from .appointments import add_participant, schedule
from .messages import contact_channels

# --- Self-booking ------------------------------------------------------------------------------


def _withdrew_since(person, moment) -> bool:
    """A consent withdrawn after the link was given revokes it: the person is reconsidering what
    the structure may do with their data, and a new link can be sent if they wish."""
    from jalon.people.models import Consent

    # Whole seconds: the link's timestamp has no fraction.
    return Consent.objects.filter(person=person, withdrawn_at__gte=moment.replace(microsecond=0)).exists()


def booking_subject(booker: links.Booker):
    """The structure and the file or referral a booking link stands for, or LinkError."""
    structure = Structure.objects.filter(pk=booker.structure_id).first()
    if structure is None:
        raise links.LinkError("revoque")
    person = referral = None
    if booker.person_id:
        from jalon.people.models import Person

        person = Person.objects.owned_by(structure).filter(pk=booker.person_id).first()
        if person is None:
            raise links.LinkError("revoque")
        if booker.issued_at is not None and _withdrew_since(person, booker.issued_at):
            raise links.LinkError("revoque")
    elif booker.referral_id:
        referral = Referral.objects.for_structure(structure).filter(pk=booker.referral_id).first()
        if referral is None or referral.status == ReferralStatus.CLOSED:
            raise links.LinkError("revoque")
    else:
        raise links.LinkError("altere")
    return structure, person, referral


@transaction.atomic
def book_from_link(*, booker: links.Booker, slot_key: str) -> Participant:
    structure, person, referral = booking_subject(booker)
    if upcoming_for(person=person, referral=referral).filter(appointment__structure=structure).exists():
        raise ValidationError("Vous avez déjà un rendez-vous à venir. Pour le changer, appelez la structure.")
    slot = parse_slot(structure, slot_key, self_booking=True)
    appointment = schedule(
        structure=structure,
        actor=None,
        title=slot.permanence.label,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        permanence=slot.permanence,
        via="link",
    )
    return add_participant(
        appointment=appointment,
        structure=structure,
        actor=None,
        person=person,
        referral=referral,
        booked_by_self=True,
        via="link",
    )


def send_booking_link(*, structure, actor, person=None, referral=None) -> int:
    """Send the self-booking link by SMS or e-mail (a file needs its contact consents)."""
    url = links.booking_url(structure=structure, person=person, referral=referral)
    probe = Participant(
        person=person, referral=referral, phone=(person or referral).phone, email=(person or referral).email
    )
    sent = 0
    for channel, to in contact_channels(probe):
        enqueue(
            channel=channel,
            to=to,
            subject=f"Choisissez votre rendez-vous avec {structure.name}",
            body=(
                f"Bonjour {(person or referral).first_name}, choisissez le créneau qui vous convient "
                f"avec {structure.name} (lien valable 14 jours) : {url}"
            ),
            structure=structure,
            purpose="rdv_lien",
        )
        sent += 1
    record(
        action=Action.UPDATE,
        actor=actor,
        structure=structure,
        obj=person or referral,
        person=person,
        detail="lien de prise de rendez-vous envoyé",
    )
    return sent

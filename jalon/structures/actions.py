from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.notifications.actions import enqueue
from jalon.notifications.models import MessageChannel

from .models import Invitation, Membership, Partnership, Role, Structure


def switch_structure(*, user, structure_id: int) -> Membership:
    membership = Membership.objects.filter(user=user, structure_id=structure_id, is_active=True).first()
    if membership is None:
        raise PermissionDenied
    get_user_model().objects.filter(pk=user.pk).update(current_structure_id=structure_id)
    user.current_structure_id = structure_id
    return membership


@transaction.atomic
def invite(*, structure: Structure, actor, email: str, role: str) -> Invitation:
    email = email.strip().lower()
    raw, token_hash = Invitation.new_token()
    Invitation.objects.filter(
        structure=structure, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        structure=structure, email=email, role=role, token_hash=token_hash, invited_by=actor
    )
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[raw])
    inviter = actor.get_full_name() or actor.email
    enqueue(
        channel=MessageChannel.EMAIL,
        to=email,
        subject=f"Invitation à rejoindre {structure.name} sur Jalon",
        body=(
            f"Bonjour,\n\n{inviter} vous invite à rejoindre {structure.name} sur Jalon "
            f"comme {Role(role).label.lower()}.\n\n"
            f"Pour accepter, ouvrez ce lien (valable 14 jours) :\n{link}\n\n"
            "Si vous ne connaissez pas cette structure, ignorez ce message."
        ),
        structure=structure,
        purpose="invitation",
    )
    record(action=Action.ADMIN, actor=actor, structure=structure, obj=invitation, detail=f"invitation {role}")
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied("Cette invitation est pour une autre adresse e-mail.")
    membership, created = Membership.objects.get_or_create(
        user=user, structure=invitation.structure, defaults={"role": invitation.role}
    )
    if not created:
        membership.role = invitation.role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    switch_structure(user=user, structure_id=invitation.structure_id)
    record(
        action=Action.ADMIN,
        actor=user,
        structure=invitation.structure,
        obj=membership,
        detail="invitation acceptée",
    )
    return membership


@transaction.atomic
def create_account_from_invitation(
    *, invitation: Invitation, first_name: str, last_name: str, password: str | None
):
    """The invited person's account. Without a password (None) it can only sign in through
    single sign-on until a password is set."""
    user = get_user_model().objects.create_user(
        email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    accept_invitation(invitation=invitation, user=user)
    return user


@transaction.atomic
def update_membership(
    *, membership: Membership, actor, role: str, need_to_know: bool, is_active: bool
) -> Membership:
    structure = membership.structure
    losing_admin = membership.role == Role.ADMIN and (role != Role.ADMIN or not is_active)
    if (
        losing_admin
        and not Membership.objects.filter(structure=structure, role=Role.ADMIN, is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValueError("La structure doit garder au moins un·e administrateur·rice.")
    fields = [
        name
        for name, value in (("role", role), ("need_to_know", need_to_know), ("is_active", is_active))
        if getattr(membership, name) != value
    ]
    membership.role, membership.need_to_know, membership.is_active = role, need_to_know, is_active
    membership.save(update_fields=fields or ["role"])
    record(
        action=Action.ADMIN,
        actor=actor,
        structure=structure,
        obj=membership,
        fields=fields,
        detail="membre modifié",
    )
    return membership


@transaction.atomic
def update_structure(*, structure: Structure, actor, form) -> Structure:
    form.save()
    record(action=Action.UPDATE, actor=actor, structure=structure, obj=structure, fields=form.changed_data)
    return structure


@transaction.atomic
def add_partnership(*, structure: Structure, partner: Structure, actor, description: str = "") -> Partnership:
    if partner.pk == structure.pk:
        raise ValueError("Une structure ne peut pas être partenaire d'elle-même.")
    existing = (
        Partnership.objects.filter(source=structure, target=partner).first()
        or Partnership.objects.filter(source=partner, target=structure).first()
    )
    if existing:
        return existing
    partnership = Partnership.objects.create(
        source=structure, target=partner, description=description, since=timezone.localdate()
    )
    record(
        action=Action.ADMIN, actor=actor, structure=structure, obj=partnership, detail="partenariat ajouté"
    )
    return partnership

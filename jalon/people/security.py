"""Who must sign in with a second factor: the one rule, derived from the permissions.

A second factor is mandatory for whoever can change a structure's accounts or programmes, and
for whoever can read disability and health notes (see actions.can_read_sensitive: members with
need-to-know, and the referent of a person). Django admin staff too. Enforced only when
settings.JALON_MFA_REQUIRED is on; anyone may enrol voluntarily.
"""

from jalon.structures.models import Membership

from .models import Person

# Admins (structure.manage) manage accounts and roles; coordinators (programmes.manage) read
# every cohort of the structure and export it.
MFA_PERMISSIONS = frozenset({"structure.manage", "programmes.manage"})


def membership_requires_mfa(membership: Membership, *, is_referent: bool = False) -> bool:
    if not membership.is_active:
        return False
    if membership.need_to_know or any(membership.can(p) for p in MFA_PERMISSIONS):
        return True
    # The referent of a person reads that person's sensitive notes.
    return is_referent


def user_requires_mfa(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    memberships = list(Membership.objects.filter(user=user, is_active=True))
    if any(membership_requires_mfa(m) for m in memberships):
        return True
    referent_of = set(
        Person.objects.filter(referent=user, structure_id__in=[m.structure_id for m in memberships])
        .values_list("structure_id", flat=True)
        .distinct()
    )
    return any(membership_requires_mfa(m, is_referent=m.structure_id in referent_of) for m in memberships)

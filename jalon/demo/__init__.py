"""Demo data: the ten seed programmes of DOMAIN.md, their partners and staff, fake people.

Every demo account shares one password, printed by `make demo` and written in the README.
"""

DEMO_PASSWORD = "jalon-demo-2026"
DEMO_EMAIL_DOMAIN = "demo.jalon.fr"


def demo_logins() -> list[tuple[str, str]]:
    """(e-mail, "role — structure") for every demo account, for the start-up banner."""
    from jalon.structures.models import Membership

    rows = (
        Membership.objects.filter(user__email__endswith="@" + DEMO_EMAIL_DOMAIN, is_active=True)
        .select_related("user", "structure")
        .order_by("structure__name", "role", "user__email")
    )
    seen = {}
    for membership in rows:
        label = f"{membership.get_role_display()} — {membership.structure.name}"
        seen.setdefault(membership.user.email, label)
    return list(seen.items())

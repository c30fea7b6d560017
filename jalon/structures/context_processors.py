from .models import Membership


def current_structure(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"current_membership": None}
    # The middleware read them with the current membership, in the same query.
    memberships = getattr(request, "memberships", None)
    if memberships is not None:
        return {"current_membership": membership, "my_memberships": memberships}

    def my_memberships():
        return list(
            Membership.objects.filter(user=request.user, is_active=True)
            .select_related("structure")
            .order_by("structure__name")
        )

    return {"current_membership": membership, "my_memberships": my_memberships}

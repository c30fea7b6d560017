from django.contrib.auth import get_user_model

from .models import Membership


class CurrentStructureMiddleware:
    """Sets request.membership: the user's active membership in their current structure.

    Everything tenant-scoped hangs off it; a user with no membership sees no tenant data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.structure = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            resolve_membership(request)
        return self.get_response(request)


def resolve_membership(request):
    user = request.user
    # All the user's memberships in one query (a handful): the current one, and the structure
    # switcher's list that every full page shows (context_processors.current_structure).
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("structure")
        .order_by("structure__name", "pk")
    )
    membership = None
    if user.current_structure_id:
        membership = next((m for m in memberships if m.structure_id == user.current_structure_id), None)
    if membership is None and memberships:
        membership = memberships[0]
        get_user_model().objects.filter(pk=user.pk).update(current_structure=membership.structure)
        user.current_structure_id = membership.structure_id
    request.membership = membership
    request.memberships = memberships
    request.structure = membership.structure if membership else None
    return membership

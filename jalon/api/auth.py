from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from jalon.structures.middleware import resolve_membership
from jalon.users.models import ApiToken

# A read-only token may use these; anything else writes.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bind(request: HttpRequest, user):
    request.user = user
    structure_header = request.headers.get("X-Jalon-Structure", "")
    if structure_header.isdigit():
        # The header chooses among the user's own structures, never beyond them.
        from jalon.structures.models import Membership

        membership = (
            Membership.objects.filter(user=user, structure_id=int(structure_header), is_active=True)
            .select_related("structure")
            .first()
        )
        request.membership = membership
        request.structure = membership.structure if membership else None
    else:
        resolve_membership(request)
    return user


class TokenAuth(HttpBearer):
    openapi_description = (
        "Jeton personnel (Mon compte → Jetons d'API), en-tête `Authorization: Bearer jln_…`."
    )

    def authenticate(self, request, token):
        api_token = ApiToken.find(token)
        if api_token is None:
            return None
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise HttpError(403, "Ce jeton est en lecture seule : il ne permet pas de modifier des données.")
        request.api_token = api_token
        return _bind(request, api_token.user)


class SessionWithStructure(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return _bind(request, user) if user else None


auth = [TokenAuth(), SessionWithStructure()]


def require_membership(request: HttpRequest, permission: str):
    """The permission gate of every API operation: the current membership, or 403 in French."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise HttpError(403, "Aucune structure active pour ce compte.")
    if not membership.can(permission):
        raise HttpError(403, "Votre rôle ne permet pas cette action.")
    return membership

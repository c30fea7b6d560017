from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .auth import auth
from .people import router as people_router
from .structures import router as structures_router

api = NinjaAPI(
    title="Jalon API",
    version="1",
    description=(
        "API de Jalon. Authentification : jeton personnel (`Authorization: Bearer …`) ou session. "
        "Les données sont celles de la structure courante ; l'en-tête `X-Jalon-Structure: <id>` "
        "choisit une autre de vos structures."
    ),
    auth=auth,
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)
api.add_router("/v1/structures", structures_router)
api.add_router("/v1/people", people_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Introuvable."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Authentification requise."}, status=401)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(request, {"detail": "Données invalides.", "errors": exc.errors}, status=422)


@api.exception_handler(HttpError)
def http_error(request, exc):
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = "Le contenu envoyé n'est pas du JSON valide."
    return api.create_response(request, {"detail": message}, status=exc.status_code)

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .appointments import router as appointments_router
from .auth import auth
from .indicators import router as indicators_router
from .orientations import router as orientations_router
from .people import router as people_router
from .people_export import export_person as _export_person  # noqa: F401 (adds its route to people)
from .programmes import enrolments_router, programmes_router, sessions_router, slots_router
from .referrals import router as referrals_router
from .referrers import router as referrers_router
from .services import router as services_router
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
api.add_router("/v1/referrers", referrers_router)
api.add_router("/v1/referrals", referrals_router)
api.add_router("/v1/orientations", orientations_router)
api.add_router("/v1/appointments", appointments_router)
api.add_router("/v1/indicators", indicators_router)
api.add_router("/v1/services", services_router)
api.add_router("/v1/programmes", programmes_router)
api.add_router("/v1/sessions", sessions_router)
api.add_router("/v1/enrolments", enrolments_router)
api.add_router("/v1/slots", slots_router)


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

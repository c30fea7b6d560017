from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
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


# pydantic's messages are English and some carry the rejected value; each error type gets a
# French sentence instead, with the limits of the field (never the value sent).
FRENCH_ERRORS = {
    "missing": "Ce champ est obligatoire.",
    "string_too_short": "Ce texte est trop court ({min_length} caractère(s) au moins).",
    "string_too_long": "Ce texte est trop long ({max_length} caractères au plus).",
    "string_type": "Un texte est attendu.",
    "string_unicode": "Le texte n'est pas en UTF-8 valide.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "float_type": "Un nombre est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "finite_number": "Un nombre fini est attendu.",
    "bool_type": "« true » ou « false » est attendu.",
    "bool_parsing": "« true » ou « false » est attendu.",
    "greater_than": "La valeur doit être supérieure à {gt}.",
    "greater_than_equal": "La valeur doit être au moins {ge}.",
    "less_than": "La valeur doit être inférieure à {lt}.",
    "less_than_equal": "La valeur doit être au plus {le}.",
    "date_type": "Une date au format AAAA-MM-JJ est attendue.",
    "date_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_inexact": "Une date sans heure est attendue (AAAA-MM-JJ).",
    "datetime_type": "Une date et une heure sont attendues (AAAA-MM-JJTHH:MM).",
    "datetime_parsing": "Une date et une heure sont attendues (AAAA-MM-JJTHH:MM).",
    "datetime_from_date_parsing": "Une date et une heure sont attendues (AAAA-MM-JJTHH:MM).",
    "enum": "Valeur non prévue. Valeurs possibles : {expected}.",
    "literal_error": "Valeur non prévue. Valeurs possibles : {expected}.",
    "list_type": "Une liste est attendue.",
    "too_long": "La liste est trop longue ({max_length} éléments au plus).",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "json_invalid": "Le contenu envoyé n'est pas du JSON valide.",
    "extra_forbidden": "Ce champ n'est pas prévu.",
}


def french_error(error: dict) -> dict:
    kind = error.get("type", "")
    context = {key: value for key, value in (error.get("ctx") or {}).items() if isinstance(value, str | int)}
    if kind == "value_error":
        # Our validators (schemas.check_value, birth date…) raise French messages, kept as they
        # are; email-validator's reasons are English and quote the address.
        raised = (error.get("ctx") or {}).get("error")
        if "email" in error.get("msg", ""):
            message = "Cette adresse e-mail n'est pas valide."
        else:
            message = str(raised) if raised else "Valeur invalide."
    else:
        try:
            message = FRENCH_ERRORS[kind].format(**context)
        except (KeyError, IndexError):
            message = "Valeur invalide."
    return {"loc": list(error.get("loc", ())), "msg": message, "type": kind}


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = [french_error(error) for error in exc.errors]
    return api.create_response(request, {"detail": "Données invalides.", "errors": errors}, status=422)


@api.exception_handler(HttpError)
def http_error(request, exc):
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = "Le contenu envoyé n'est pas du JSON valide."
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@csrf_exempt  # answers the same 404 to any method and writes nothing
def unknown_path(request, *args, **kwargs):
    """Paths under /api/ that no operation matches (`/api/v1/people/abc`): JSON like the rest of
    the API, never Django's HTML page."""
    return JsonResponse({"detail": "Introuvable."}, status=404)

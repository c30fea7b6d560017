import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from . import health
from .network import client_allowed


@login_not_required
@never_cache
def healthz(request):
    """Liveness: the process answers. No database, so a database outage does not restart it."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
def readyz(request):
    """Readiness: database, cache, job queue and migrations; 200 or 503, from allowed networks only."""
    if not client_allowed(request):
        raise Http404
    ready, checks = health.readiness()
    return JsonResponse(
        {"status": "ok" if ready else "erreur", "checks": checks}, status=200 if ready else 503
    )


def _bearer_ok(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@login_not_required
@never_cache
def metrics(request):
    """Prometheus metrics, behind a bearer token; without METRICS_TOKEN the endpoint does not exist."""
    if not _bearer_ok(request):
        raise Http404
    from prometheus_client import CONTENT_TYPE_LATEST

    from .metrics import render

    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)

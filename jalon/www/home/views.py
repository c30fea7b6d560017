from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from jalon.people.models import PersonEvent

from .todo import todo_for


def home(request):
    membership = request.membership
    if membership is None:
        return render(request, "home/no_structure.html")
    recent = (
        PersonEvent.objects.filter(structure=membership.structure, actor=request.user)
        .select_related("person")
        .order_by("-occurred_at", "-id")[:8]
        if membership.can("people.view")
        else []
    )
    return render(
        request,
        "home/home.html",
        {
            "todo": todo_for(membership, request.user),
            "recent": recent,
            "can_edit": membership.can("people.edit"),
        },
    )


@login_not_required
@never_cache
def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 — any failure means "not healthy"
        checks["database"] = "erreur"
    try:
        from huey.contrib.djhuey import HUEY

        HUEY.storage.queue_size()
        checks["jobs"] = "ok"
    except Exception:  # noqa: BLE001
        checks["jobs"] = "erreur"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "erreur", **checks}, status=200 if healthy else 503)


def bare(request):
    """The benchmark's reference: a login-protected page doing the minimum (see bench/)."""
    from django.http import HttpResponse

    return HttpResponse("ok")

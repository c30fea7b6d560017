from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control

from jalon.www.account import sessions


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Deny by default: every page needs a login unless marked @login_not_required.

    The API answers 401 itself (token or session auth), so it is not redirected to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def _redirect(request, url: str):
    # htmx would swap the target page into a fragment: it follows HX-Redirect with a full load.
    # Read the header itself: these middlewares run before django-htmx sets request.htmx.
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class SessionTimeoutMiddleware:
    """Closes a browser session after JALON_SESSION_IDLE_SECONDS without a request, and
    JALON_SESSION_MAX_SECONDS after the login whatever the activity.

    API tokens carry no session and are not concerned. The last request's time is written at
    most once a minute, so that a page does not cost a session write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or not session.session_key or not request.user.is_authenticated:
            return self.get_response(request)
        reason = sessions.expired(session)
        if reason:
            logout(request)
            if request.path_info.startswith("/api/"):
                return self.get_response(request)  # now anonymous: the API answers 401 itself
            messages.info(request, reason)
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return _redirect(request, reverse("account_login") + (f"?{query}" if query else ""))
        if request.path_info != reverse("session_status"):
            sessions.touch(session)
        return self.get_response(request)


class MFARequiredMiddleware:
    """Until an authenticator exists, sends whoever must use a second factor to its setup.

    The allauth pages (/comptes/: setup, logout, password), the help and the idle-session
    warning's own requests stay reachable.
    """

    EXEMPT = (
        "/comptes/",
        "/aide/",
        "/compte/session/",
        "/static/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/favicon.ico",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.JALON_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path_info.startswith(self.EXEMPT)
            and sessions.must_enrol(request)
        ):
            message = (
                "Votre rôle donne accès à des informations sensibles : "
                "activez la double authentification pour continuer."
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            messages.warning(request, message)
            return _redirect(request, reverse("mfa_activate_totp"))
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer; `Cache-Control: no-store` on every dynamic one.

    Nearly every page of Jalon shows personal data (a person file, a booking link, a partner's
    answer page, an export, a PDF, the API): none may stay in a shared computer's browser cache or
    in a proxy. A view that wants caching says so itself (a `Cache-Control` it sets is kept);
    static files are served by WhiteNoise before this middleware and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        if not request.path_info.startswith(settings.STATIC_URL) and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response

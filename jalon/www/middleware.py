from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.utils.cache import patch_cache_control


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Deny by default: every page needs a login unless marked @login_not_required.

    The API answers 401 itself (token or session auth), so it is not redirected to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


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

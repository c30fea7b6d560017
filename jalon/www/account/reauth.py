"""Ask for the password or a second factor again before the most sensitive operations.

Reading a disability or health note, creating an API token and exporting a list: a session left
open on a shared computer must not be enough. A login or re-authentication within
ACCOUNT_REAUTHENTICATION_TIMEOUT counts (jalon.users.adapter.recently_authenticated); otherwise
allauth's middleware sends the person to its re-authentication page and back, a suspended
form submission included.
"""

from urllib.parse import urlencode

from allauth.core.exceptions import ImmediateHttpResponse, ReauthenticationRequired
from django.http import HttpResponse
from django.urls import reverse

from jalon.users.adapter import recently_authenticated


def require_recent_login(request) -> None:
    if recently_authenticated(request):
        return
    if request.headers.get("HX-Request") == "true":
        # htmx would put the re-authentication page inside a fragment: reload the whole page.
        response = HttpResponse(status=204)
        query = urlencode({"next": request.get_full_path()})
        response["HX-Redirect"] = f"{reverse('account_reauthenticate')}?{query}"
        raise ImmediateHttpResponse(response)
    raise ReauthenticationRequired()

"""A confirmation step before an action that cannot be undone, that works with no JavaScript.

The destructive button is a link (GET) to a page that says plainly what will happen, with a
POST button that carries FIELD and a "Non, revenir" link. The view acts only on that POST: a
POST without FIELD (an old form, a double submit from a stale page) changes nothing and shows
the page again. The API keeps its own calls unchanged: a program asks no question.
"""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

FIELD = "confirme"

# The decorator of a view with a confirmation step: GET shows the page, POST acts.
get_or_post = require_http_methods(["GET", "POST"])


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(FIELD) == "oui"


def page(
    request,
    *,
    title: str,
    consequences: list[str],
    button: str,
    back_url: str,
    action_url: str | None = None,
    fields: dict | None = None,
):
    """The shared confirmation page; `fields` are posted back with the confirmation."""
    return render(
        request,
        "components/confirm.html",
        {
            "title": title,
            "consequences": [line for line in consequences if line],
            "button": button,
            "back_url": back_url,
            "action_url": action_url or request.path,
            "fields": sorted((fields or {}).items()),
            "confirm_field": FIELD,
        },
    )

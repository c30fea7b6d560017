"""Template tags of the page shell (menu, help link)."""

from django import template

from jalon.www.help.guide import help_url as _help_url
from jalon.www.menu import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    request = context.get("request")
    if request is None:
        return {"main": [], "admin": []}
    match = getattr(request, "resolver_match", None)
    return menu_for(getattr(request, "membership", None), match.url_name if match else None)


@register.simple_tag(takes_context=True)
def help_url(context):
    """The guide's section about the current screen."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None) if request is not None else None
    return _help_url(match.url_name if match else None)


@register.inclusion_tag("components/session_warning.html", takes_context=True)
def session_warning(context):
    """The « Rester connecté·e » dialog, shown shortly before an idle session closes."""
    from django.conf import settings

    request = context.get("request")
    return {
        "show": request is not None and request.user.is_authenticated,
        "idle": settings.JALON_SESSION_IDLE_SECONDS,
        "warning": settings.JALON_SESSION_WARNING_SECONDS,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def width_class(percent) -> str:
    """A bar's width as a class of jalon.css (w-pct-0 … w-pct-100): the CSP refuses style="…"."""
    try:
        value = round(float(percent))
    except (TypeError, ValueError):
        value = 0
    return f"w-pct-{min(max(value, 0), 100)}"

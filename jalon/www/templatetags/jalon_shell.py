"""Template tags of the page shell (menu, help link)."""

from django import template

from jalon.www.menu import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    request = context.get("request")
    if request is None:
        return {"main": [], "admin": []}
    match = getattr(request, "resolver_match", None)
    return menu_for(getattr(request, "membership", None), match.url_name if match else None)

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.safestring import mark_safe

from . import guide


@login_not_required  # the guide is public documentation of the software, with nobody's data
def help_page(request, slug: str = "index"):
    current = guide.page(slug)
    return render(
        request,
        "help/page.html",
        {
            "page": current,
            # Our own Markdown, rendered by us: nothing from a user goes into it.
            "content": mark_safe(current.html),  # noqa: S308
            "pages": guide.titles(),
        },
    )

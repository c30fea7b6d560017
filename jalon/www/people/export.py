"""A person's data export from their file: JSON, or a readable PDF (right of access).

The case worker hands it to the person who asks for it. The owning structure only (another
structure, even one the file is shared with: 404), after a recent login like other exports,
audited, never cached.
"""

import json

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jalon import portability
from jalon.www.account.reauth import require_recent_login
from jalon.www.scoping import person_for_edit

FORMATS = ("pdf", "json")


@require_GET
@never_cache
def person_export(request, pk: int):
    person = person_for_edit(request, pk)
    file_format = request.GET.get("format", "pdf")
    if file_format not in FORMATS:
        raise Http404
    require_recent_login(request)
    data = portability.export_person(person=person, membership=request.membership, file_format=file_format)
    # The file name carries the file's number, never the person's name (it shows in logs).
    filename = f"donnees-personne-{person.pk}"
    if file_format == "json":
        body = json.dumps(portability.json_ready(data), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        from weasyprint import HTML

        html = render_to_string("people/export.html", {"data": data, "person": person})
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response

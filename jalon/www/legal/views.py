"""Pages every visitor can read: who runs this instance, what it does with personal data, and
how to report a security flaw (RFC 9116). Their content comes from settings (see
docs/deploiement.md): each organisation running Jalon fills in its own name and contacts."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

# RFC 9116 asks for an Expires under a year away; computed per request, it never goes stale.
SECURITY_TXT_LIFETIME = timedelta(days=180)


def _publisher() -> dict:
    return {
        "organisation": settings.JALON_ORGANISATION_NAME,
        "address": settings.JALON_ORGANISATION_ADDRESS,
        "contact_email": settings.JALON_CONTACT_EMAIL,
        "dpo_email": settings.JALON_DPO_EMAIL,
        "director": settings.JALON_PUBLICATION_DIRECTOR,
        "host": settings.JALON_HOST_NAME,
        "security_contact": settings.JALON_SECURITY_CONTACT,
        "retention_years": round(settings.JALON_RETENTION_MONTHS / 12, 1),
    }


@login_not_required  # the law requires these pages to be public
@require_GET
def privacy(request):
    return render(request, "legal/privacy.html", _publisher())


@login_not_required
@require_GET
def legal_notice(request):
    return render(request, "legal/legal_notice.html", _publisher())


@login_not_required
@require_GET
def security_txt(request):
    site = settings.SITE_URL.rstrip("/")
    expires = (timezone.now() + SECURITY_TXT_LIFETIME).replace(microsecond=0)
    lines = [
        f"Contact: {settings.JALON_SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: fr, en",
        f"Policy: {site}{reverse('legal_notice')}#securite",
        f"Canonical: {site}{reverse('security_txt')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

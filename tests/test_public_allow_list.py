"""Deny by default: the pages open without an account are exactly this list. A new public view
must be added here on purpose (and carry a token, or nobody's data)."""

from django.urls import URLResolver, get_resolver

# url_name → why it is public. allauth's own routes (comptes/) and the API (its own auth) aside.
PUBLIC = {
    "healthz": "supervision probe, no data",
    "readyz": "readiness probe: loopback and private networks only (HEALTH_ALLOWED_NETWORKS), no data",
    "metrics": "Prometheus: 404 without the METRICS_TOKEN bearer token",
    "invitation_accept": "random token",
    "public_orientation_answer": "signed partner link",
    "public_referral": "signed referrer link",
    "public_self_referral": "signed referrer link",
    "public_referral_follow_up": "signed referrer link",
    "public_booking": "signed booking link",
    "public_booking_ics": "signed booking link",
    "public_services": "public directory, no personal data",
    "peer_roll_call": "signed peer link",
    "programme_registration": "signed invitation link",
    "help": "user guide",
    "help_page": "user guide",
    "privacy": "required by law (GDPR information)",
    "legal_notice": "required by law (LCEN)",
    "security_txt": "RFC 9116",
    "favicon": "icon",
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name, pattern.callback


def test_public_views_are_an_explicit_allow_list():
    public = {
        name
        for route, name, view in _routes(get_resolver().url_patterns)
        if getattr(view, "login_required", True) is False
        and not route.startswith(("api/", "admin/", "comptes/"))
    }
    assert public == set(PUBLIC)

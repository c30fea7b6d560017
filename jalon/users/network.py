"""The one definition of the client's address, for every rate limit and log of the project.

Behind N trusted proxies (TRUSTED_PROXY_COUNT), each appends the address of its peer to
X-Forwarded-For, so the client is the N-th address from the right; anything further left was
written by the client and can be forged. Without proxies, REMOTE_ADDR is the client.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            # Fewer hops than proxies: the request came through fewer of them; the leftmost
            # address was still written by a trusted proxy.
            address = _valid(hops[-count] if len(hops) >= count else hops[0])
            if address:
                return address
    return _valid(remote) or remote

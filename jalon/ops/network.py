"""Who may read the probes' details and the metrics: an allow-list of networks (REMOTE_ADDR)."""

import ipaddress
from functools import lru_cache

from django.conf import settings

# Loopback and private ranges: a load balancer or Prometheus on the same private network.
DEFAULT_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


@lru_cache(maxsize=8)
def _parse(networks: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in networks)


def parse_networks(value: str) -> list[str]:
    """Validate the setting early (at start-up) so a typo fails loudly rather than locking out."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        ipaddress.ip_network(item, strict=False)
    return items


def client_allowed(request) -> bool:
    # REMOTE_ADDR on purpose, not X-Forwarded-For: the balancer probes gunicorn directly, and a
    # forwarded header is whatever the client wrote.
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _parse(tuple(settings.HEALTH_ALLOWED_NETWORKS)))

"""The calling client's address, the one rule that lockout, login throttles and rate
limits all use.

Behind the reverse proxy that the operator guide prescribes, REMOTE_ADDR is the proxy's
own address for every caller; counting failures by it would let anyone lock everybody
out. The client's address is then read from X-Forwarded-For, but only the part that a
trusted proxy wrote: each proxy appends the address it received the request from, so
the list is walked from the right, skipping trusted proxies, and the first other
address is the client. Anything further left was sent by the client itself and could
name anyone.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    parsed = _parse(address)
    if parsed is None:
        return False
    return any(parsed in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The address of the client as the nearest untrusted hop; REMOTE_ADDR when the
    request did not come through a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not settings.TRUSTED_PROXIES or not is_trusted_proxy(remote):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            # A malformed hop was not written by a trusted proxy; what lies left of it
            # is the client's say, so the last trusted view of the caller stands.
            break
        if not is_trusted_proxy(str(parsed)):
            return str(parsed)
        remote = str(parsed)
    return remote

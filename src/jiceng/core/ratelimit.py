"""Fixed-window rate limits kept in Django's cache (local memory on one machine, Redis
when JICENG_REDIS_URL is set), for public endpoints that anyone may call."""

import hashlib
import time

from django.core.cache import cache

from jiceng.core.clientip import client_address


def client_id(request) -> str:
    """A stable, non-reversible id of the calling client: never the address itself, so
    the cache holds nothing personal. The address is the one `core.clientip` reads
    (through trusted proxies only), as lockout and login throttles use."""
    from django.conf import settings

    address = client_address(request)
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:24]


def hit(bucket: str, client: str, *, limit: int, window_seconds: int) -> bool:
    """Count one call; False when the client has used up `limit` calls in this window."""
    window = int(time.time() // window_seconds)
    key = f"rl:{bucket}:{client}:{window}"
    # add() is atomic where the backend is (Redis, memcached, locmem's lock).
    if cache.add(key, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds + 5)
        return True
    return count <= limit

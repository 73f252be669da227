"""Login throttles beside django-axes' lockout, so that guessing is slow and a stranger
cannot lock the owner out.

- django-axes locks a (username, client address) pair after AXES_FAILURE_LIMIT failures.
- One client address failing for many usernames is password spraying: past
  LOGIN_ADDRESS_FAILURE_LIMIT failures in the window, that address may not try again
  until the window has passed, whatever the username.
- One username failing from many addresses is slowed, never blocked: past
  LOGIN_USERNAME_SLOW_AFTER failures in the window, one attempt per
  LOGIN_USERNAME_DELAY_SECONDS. The owner still gets in, a few seconds later.
- A browser that signed in to an account before carries a signed device cookie for it
  and is spared both throttles for that account (OWASP, "Slow down online guessing
  attacks with device cookies"), so the owner at their usual desk is not slowed at all.

Failures are read from django-axes' failure log (a table, so every app server sees the
same counts); the address is `core.clientip.client_address`, as axes uses it.
"""

import datetime
import math
import secrets
from dataclasses import dataclass

from axes.models import AccessFailureLog
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from jiceng.core.clientip import client_address

DEVICE_SALT = "jiceng.accounts.device"


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is not even checked, and for how many seconds."""

    reason: str  # "address" | "username"
    seconds: int


def _window_start(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def trusted_device(request: HttpRequest, username: str) -> bool:
    """Whether this browser signed in to `username` before (a valid device cookie)."""
    raw = request.COOKIES.get(settings.LOGIN_DEVICE_COOKIE)
    if not raw:
        return False
    try:
        data = signing.loads(
            raw,
            salt=DEVICE_SALT,
            max_age=datetime.timedelta(days=settings.LOGIN_DEVICE_COOKIE_DAYS),
        )
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and str(data.get("u", "")).lower() == username.lower()


def remember_device(response: HttpResponse, username: str) -> None:
    """After a full sign-in, mark this browser as one the owner uses."""
    value = signing.dumps({"u": username, "n": secrets.token_hex(8)}, salt=DEVICE_SALT)
    response.set_cookie(
        settings.LOGIN_DEVICE_COOKIE,
        value,
        max_age=settings.LOGIN_DEVICE_COOKIE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def check(request: HttpRequest, username: str) -> Refusal | None:
    """None when the attempt may go on to the password check; else why not and for how
    long. Refused attempts are not failures: they check no password and count nothing."""
    if not settings.AXES_ENABLED or trusted_device(request, username):
        return None
    now = timezone.now()
    since = _window_start(now)
    address = client_address(request) or None
    if address is not None:
        from_address = AccessFailureLog.objects.filter(
            ip_address=address, attempt_time__gte=since
        ).order_by("-attempt_time")
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        times = list(from_address.values_list("attempt_time", flat=True)[:limit])
        if len(times) >= limit:
            # Free again when the oldest of the last `limit` failures leaves the window.
            free_at = times[-1] + datetime.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
            return Refusal("address", max(1, math.ceil((free_at - now).total_seconds())))
    for_username = AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=since
    ).order_by("-attempt_time")
    slow_after = settings.LOGIN_USERNAME_SLOW_AFTER
    times = list(for_username.values_list("attempt_time", flat=True)[:slow_after])
    if times and len(times) >= slow_after:
        next_at = times[0] + datetime.timedelta(seconds=settings.LOGIN_USERNAME_DELAY_SECONDS)
        if next_at > now:
            return Refusal("username", max(1, math.ceil((next_at - now).total_seconds())))
    return None

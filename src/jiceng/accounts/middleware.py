"""Second factor and forced password change, decided from the user and the session
alone, whatever login path opened the session.

A signed-in user whose roles require TOTP (settings.TOTP_REQUIRED_ROLES) and whose
session has not passed the second factor reaches only the pages in OPEN_BEFORE_VERIFY:
sign-in, verification, enrolment, sign-out and the public pages anyone may open. An
account an administrator created or reset must choose its own password before anything
else. The API (/api/) applies the same rule in its authentication (`jiceng.api`), with a
401 or 403 in the API's error shape.

Earlier, a flag set by the project's own login view decided; a session opened by any
other path (Django admin's login) was never asked. Now the flag plays no part.
"""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

# Shown on the login form's redirect; kept for the page, not trusted for the decision.
SESSION_FLAG = "jiceng_totp_required"

# URL names a password-only session may open. Everything else is closed until verified.
SIGN_IN_PAGES = frozenset(
    {
        "accounts:login",
        "accounts:verify",
        "accounts:enroll",
        "accounts:logout",
    }
)
PUBLIC_PAGES = frozenset(
    {
        # Residents: report a problem, track it, rate or reopen it, ask for help.
        "appeals:report",
        "appeals:places",
        "appeals:locate",
        "track:lookup",
        "track:code",
        "track:rate",
        "track:reopen",
        "cobuild:need_report",
        "cobuild:need_report_done",
        "cobuild:places",
        # Other systems: Open311 GeoReport v2, authenticated by API key, not session.
        "open311:discovery",
        "open311:services",
        "open311:service",
        "open311:requests",
        "open311:request",
        # The language switch.
        "set_language",
    }
)
OPEN_BEFORE_VERIFY = SIGN_IN_PAGES | PUBLIC_PAGES
# Pages an account that must change its password may still open (after the second factor).
OPEN_BEFORE_PASSWORD_CHANGE = OPEN_BEFORE_VERIFY | {"accounts:password_change"}


def needs_second_factor(request: HttpRequest) -> bool:
    """A signed-in user whose roles require TOTP and whose session has not verified."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return False
    cached = getattr(request, "_jiceng_needs_second_factor", None)
    if cached is None:
        from jiceng.accounts.services import user_requires_totp

        cached = user_requires_totp(user)
        request._jiceng_needs_second_factor = cached
    return cached


def needs_password_change(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.must_change_password)


def _with_next(url_name: str, request: HttpRequest) -> str:
    url = reverse(url_name)
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None  # the API's authentication applies the same rule (jiceng.api)
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name not in OPEN_BEFORE_VERIFY and needs_second_factor(request):
            return redirect(_with_next("accounts:verify", request))
        if name not in OPEN_BEFORE_PASSWORD_CHANGE and needs_password_change(request):
            return redirect(_with_next("accounts:password_change", request))
        return None

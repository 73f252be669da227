"""Session timeout and the security headers every page carries (MLPS level 3: idle
sessions end, pages cannot be framed, scripts come only from this site)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

HOME = "/"


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_session_expiry_is_configured(settings):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.fixture
def clock(monkeypatch):
    """Moves `timezone.now` (which the session store reads) forward on demand."""
    state = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def advance(**delta):
        state["now"] += datetime.timedelta(**delta)

    return advance


def test_idle_session_ends_after_thirty_minutes(client, territory, clock):
    client.post(reverse("accounts:login"), {"username": "xh_s1_staff", "password": PASSWORD})
    clock(minutes=20)
    assert client.get(HOME).status_code == 200
    # 45 minutes after signing in but 25 after the last request: the timeout slides.
    clock(minutes=25)
    assert client.get(HOME).status_code == 200
    clock(minutes=31)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_page_headers(client, db):
    response = client.get(reverse("accounts:login"))
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_signed_in_page_headers(client, territory):
    territory.client_for(client, "xh_s1_staff")
    response = client.get(HOME)
    assert response.status_code == 200
    csp = _csp(response)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def _assert_no_inline_code(html: str) -> None:
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    assert not INLINE_HANDLER.search(html)


def test_account_pages_have_no_inline_script_or_style(client, territory, settings):
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    _assert_no_inline_code(client.get(reverse("accounts:login")).content.decode())
    client.post(reverse("accounts:login"), {"username": "xh_admin", "password": PASSWORD})
    enroll = client.get(reverse("accounts:enroll"))
    assert enroll.status_code == 200
    # The page shows the TOTP secret: no cache may keep it.
    assert "no-store" in enroll["Cache-Control"]
    # The QR code is an image from a data: URI, which img-src allows and nothing else does.
    assert "data:" in _csp(enroll)["img-src"]
    _assert_no_inline_code(enroll.content.decode())


def test_lockout_page_has_no_inline_code(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from jiceng.accounts.views import locked_out

    request = rf.get(reverse("accounts:login"))
    request.user = AnonymousUser()
    response = locked_out(request, None)
    assert response.status_code == 429
    _assert_no_inline_code(response.content.decode())

"""Signing in: passwords, lockout, the TOTP second factor, logout, secure headers."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts.services import totp_device_create
from jiceng.core.models import AuditEntry
from tests.conftest import PASSWORD


def _login(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_login_and_safe_next(client, territory):
    response = _login(client, "xh_s1_staff", next="/orgs/units/")
    assert response.status_code == 302 and response["Location"] == "/orgs/units/"
    assert AuditEntry.objects.filter(action="login").count() == 1
    client.logout()
    response = _login(client, "xh_s1_staff", next="https://evil.example/")
    assert response["Location"] == "/"


def test_wrong_password_is_a_clear_chinese_error(client, territory):
    response = _login(client, "xh_s1_staff", password="wrong")
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


@pytest.fixture
def axes_on(settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    reset()
    yield
    reset()


def test_repeated_failures_lock_the_account(client, territory, axes_on):
    for _ in range(3):
        _login(client, "xh_s1_staff", password="wrong")
    locked = _login(client, "xh_s1_staff")  # even the right password now
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_district_admin_must_verify_totp(client, territory, settings):
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise delay the next
    admin = territory.users["xh_admin"]
    device = totp_device_create(actor=None, user=admin, name="phone")
    response = _login(client, "xh_admin")
    assert response["Location"].startswith(reverse("accounts:verify"))
    # Until verified: pages redirect, the API answers 401 in its error shape.
    assert client.get("/orgs/units/")["Location"].startswith(reverse("accounts:verify"))
    api = client.get("/api/me")
    assert api.status_code == 401 and api.json()["code"] == "second_factor_required"
    wrong = client.post(reverse("accounts:verify"), {"code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    assert AuditEntry.objects.filter(action="otp", changes__verified=False).exists()
    ok = client.post(reverse("accounts:verify"), {"code": _code(device)})
    assert ok.status_code == 302
    assert client.get("/orgs/units/").status_code == 200
    assert client.get("/api/me").status_code == 200


def test_first_login_enrols_a_device(client, territory, settings):
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = _login(client, "xh_admin")
    assert response["Location"].startswith(reverse("accounts:enroll"))
    page = client.get(reverse("accounts:enroll"))
    assert page.status_code == 200 and "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=territory.users["xh_admin"], confirmed=False)
    assert client.post(reverse("accounts:enroll"), {"code": "123456"}).status_code == 200
    done = client.post(reverse("accounts:enroll"), {"code": _code(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_street_staff_is_not_asked_for_totp(client, territory, settings):
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    assert _login(client, "xh_s1_staff")["Location"] == "/"
    assert client.get("/").status_code == 200


def test_logout_needs_post(client, territory):
    _login(client, "xh_s1_staff")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_session_times_out_and_headers_are_strict(client, territory, settings):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"

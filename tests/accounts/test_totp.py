"""The TOTP second factor: who is asked, verification with throttling, and enrolment of
a first device. Codes are computed from the device's key as an authenticator app would."""

import base64
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts.services import totp_device_create
from jiceng.core.models import AuditEntry
from tests.conftest import PASSWORD

HOME = "/"
PAGE = "/orgs/units/"


def _login(client, username, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD, **extra}
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _wrong_code(device: TOTPDevice) -> str:
    return f"{(int(_code(device)) + 500000) % 1000000:06d}"


@pytest.fixture
def totp_on(settings):
    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # tests of throttling turn it back on


@pytest.fixture
def admin_device(territory) -> TOTPDevice:
    return totp_device_create(actor=None, user=territory.users["xh_admin"], name="phone")


def test_district_admin_must_verify_before_any_page(client, territory, totp_on, admin_device):
    response = _login(client, "xh_admin")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert client.session["jiceng_totp_required"] is True
    for path in (HOME, PAGE):
        assert client.get(path)["Location"].startswith(reverse("accounts:verify"))
    ok = client.post(reverse("accounts:verify"), {"code": _code(admin_device)})
    assert ok.status_code == 302 and ok["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert client.get(PAGE).status_code == 200
    assert AuditEntry.objects.filter(action="otp", changes__verified=True).count() == 1


def test_api_answers_401_in_the_error_shape_until_verified(
    client, territory, totp_on, admin_device
):
    _login(client, "xh_admin")
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "second_factor_required",
        "message": "需要完成双因素认证",
        "field": None,
    }
    client.post(reverse("accounts:verify"), {"code": _code(admin_device)})
    assert client.get("/api/me").status_code == 200


def test_wrong_code_is_refused_and_audited(client, territory, totp_on, admin_device):
    _login(client, "xh_admin")
    wrong = client.post(reverse("accounts:verify"), {"code": _wrong_code(admin_device)})
    assert wrong.status_code == 200
    assert "验证码不正确或已过期" in wrong.content.decode()
    assert AuditEntry.objects.filter(action="otp", changes__verified=False).exists()
    assert client.get(HOME)["Location"].startswith(reverse("accounts:verify"))
    malformed = client.post(reverse("accounts:verify"), {"code": "12ab"})
    assert "请输入6位数字验证码" in malformed.content.decode()


def test_wrong_codes_slow_down_the_next_attempt(
    client, territory, totp_on, admin_device, settings, monkeypatch
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    _login(client, "xh_admin")
    client.post(reverse("accounts:verify"), {"code": _wrong_code(admin_device)})
    # Even the right code is refused while the device waits out the delay.
    throttled = client.post(reverse("accounts:verify"), {"code": _code(admin_device)})
    assert throttled.status_code == 200
    assert "秒后再试" in throttled.content.decode()
    admin_device.refresh_from_db()
    assert admin_device.throttling_failure_count == 1
    later = timezone.now() + datetime.timedelta(seconds=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    ok = client.post(reverse("accounts:verify"), {"code": _code(admin_device)})
    assert ok.status_code == 302


def test_next_survives_the_second_factor(client, territory, totp_on, admin_device):
    response = _login(client, "xh_admin", next="/orgs/units/?coverage=uncovered")
    assert response["Location"] == (
        reverse("accounts:verify") + "?next=%2Forgs%2Funits%2F%3Fcoverage%3Duncovered"
    )
    ok = client.post(response["Location"], {"code": _code(admin_device)})
    assert ok["Location"] == "/orgs/units/?coverage=uncovered"


def test_each_password_login_asks_for_a_fresh_code(client, territory, totp_on, admin_device):
    _login(client, "xh_admin")
    client.post(reverse("accounts:verify"), {"code": _code(admin_device)})
    assert client.get(HOME).status_code == 200
    _login(client, "xh_admin")  # same browser session, signing in again
    assert client.get(HOME)["Location"].startswith(reverse("accounts:verify"))


def test_first_login_enrols_a_device(client, territory, totp_on):
    admin = territory.users["xh_admin"]
    response = _login(client, "xh_admin")
    assert response["Location"].startswith(reverse("accounts:enroll"))
    assert client.get(HOME)["Location"].startswith(reverse("accounts:verify"))
    assert client.get(reverse("accounts:verify"))["Location"].startswith(reverse("accounts:enroll"))
    page = client.get(reverse("accounts:enroll"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert device.name == "default"
    html = page.content.decode()
    assert '<img class="qr" src="data:image/svg+xml;base64,' in html
    assert base64.b32encode(device.bin_key).decode().rstrip("=") in html
    # Reloading the page keeps the same secret rather than piling up devices.
    client.get(reverse("accounts:enroll"))
    assert TOTPDevice.objects.filter(user=admin).count() == 1

    wrong = client.post(reverse("accounts:enroll"), {"code": _wrong_code(device)})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post(reverse("accounts:enroll"), {"code": _code(device)})
    assert done.status_code == 302 and done["Location"] == HOME
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    assert AuditEntry.objects.filter(action="otp", changes__confirmed=True).exists()
    # Once confirmed, the enrol page sends to verification; it never shows the secret again.
    assert client.get(reverse("accounts:enroll"))["Location"].startswith(reverse("accounts:verify"))


def test_enrolment_qr_encodes_the_otpauth_uri(client, territory, totp_on):
    _login(client, "xh_admin")
    client.get(reverse("accounts:enroll"))
    device = TOTPDevice.objects.get(user=territory.users["xh_admin"])
    assert device.config_url.startswith("otpauth://totp/")
    assert "issuer=Jiceng" in device.config_url


def test_street_staff_is_not_asked_for_totp(client, territory, totp_on):
    response = _login(client, "xh_s1_staff")
    assert response["Location"] == HOME
    assert "jiceng_totp_required" not in client.session
    assert client.get(HOME).status_code == 200
    assert client.get("/api/me").status_code == 200
    # Nor offered a device that no sign-in would ever ask for.
    assert client.get(reverse("accounts:enroll"))["Location"] == HOME
    assert not TOTPDevice.objects.exists()


def test_a_deployment_can_turn_totp_off(client, territory, settings):
    settings.TOTP_REQUIRED_ROLES = []
    assert _login(client, "xh_admin")["Location"] == HOME
    assert client.get(HOME).status_code == 200

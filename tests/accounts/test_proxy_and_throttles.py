"""Lockout and throttles behind the documented reverse proxy (security review, items 3
and 4): the client's address comes through trusted proxies only, one setting for
django-axes and the rate limiter alike; a stranger cannot lock the owner out; one
address cannot spray passwords over many accounts."""

import datetime

import pytest
from axes.utils import reset
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.services import user_create
from jiceng.core.clientip import client_address
from jiceng.core.ratelimit import client_id
from tests.conftest import PASSWORD

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.5
    reset()
    yield settings
    reset()


def _login(client, username, password=PASSWORD, *, via=None, address=PROXY):
    extra = {"REMOTE_ADDR": address}
    if via is not None:
        extra["HTTP_X_FORWARDED_FOR"] = via
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    "remote,forwarded,expected",
    [
        (PROXY, "203.0.113.5", "203.0.113.5"),
        # A client's own X-Forwarded-For is kept to the left of what the proxy appends.
        (PROXY, "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        # Two trusted proxies in a row: the first untrusted hop from the right.
        (PROXY, "203.0.113.5, 10.0.0.7", "203.0.113.5"),
        (PROXY, "2001:db8::1", "2001:db8::1"),
        (PROXY, "203.0.113.5:4711", "203.0.113.5"),
        # A caller not behind a trusted proxy cannot choose its address.
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),
        (PROXY, None, PROXY),
        (PROXY, "not-an-address", PROXY),
    ],
)
def test_client_address_reads_only_what_trusted_proxies_wrote(
    settings, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(_request(remote, forwarded)) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request(PROXY, "203.0.113.5")) == PROXY


def test_rate_limiter_and_lockout_share_the_client_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    a = _request(PROXY, "203.0.113.5")
    b = _request("10.0.0.3", "203.0.113.5")
    c = _request(PROXY, "203.0.113.6")
    assert client_id(a) == client_id(b) != client_id(c)
    assert settings.AXES_CLIENT_IP_CALLABLE == "jiceng.core.clientip.client_address"


def test_a_stranger_behind_the_proxy_cannot_lock_the_owner_out(client, territory, behind_proxy):
    """Review item 3: before, five wrong passwords through the proxy locked the owner out
    for 30 minutes, because every client had the proxy's address."""
    for _ in range(3):
        _login(client, "xh_s1_staff", "wrong", via="203.0.113.5")
    assert _login(client, "xh_s1_staff", via="203.0.113.5").status_code == 429
    owner = _login(client, "xh_s1_staff", via="198.51.100.7")
    assert owner.status_code == 302 and owner["Location"] == "/"


def test_many_addresses_slow_a_username_but_do_not_block_it(
    client, territory, behind_proxy, monkeypatch
):
    behind_proxy.LOGIN_USERNAME_SLOW_AFTER = 4
    behind_proxy.LOGIN_USERNAME_DELAY_SECONDS = 30
    for i in range(4):  # each address stays under the pair limit
        _login(client, "xh_s1_staff", "wrong", via=f"203.0.113.{10 + i}")
    slowed = _login(client, "xh_s1_staff", via="198.51.100.7")
    assert slowed.status_code == 429
    assert "该账号登录尝试过于频繁" in slowed.content.decode()
    assert "_auth_user_id" not in client.session
    later = timezone.now() + datetime.timedelta(seconds=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # The owner gets in after the delay: slowed, never locked.
    assert _login(client, "xh_s1_staff", via="198.51.100.7").status_code == 302


def test_the_owners_own_browser_is_not_slowed(client, territory, behind_proxy):
    behind_proxy.LOGIN_USERNAME_SLOW_AFTER = 4
    assert _login(client, "xh_s1_staff", via="198.51.100.7").status_code == 302
    assert client.cookies.get(behind_proxy.LOGIN_DEVICE_COOKIE)
    client.post(reverse("accounts:logout"))
    for i in range(6):
        _login(client.__class__(), "xh_s1_staff", "wrong", via=f"203.0.113.{10 + i}")
    # The device cookie from the earlier sign-in spares this browser the delay.
    assert _login(client, "xh_s1_staff", via="198.51.100.7").status_code == 302


def test_a_device_cookie_for_another_account_does_not_help(client, territory, behind_proxy):
    behind_proxy.LOGIN_USERNAME_SLOW_AFTER = 4
    assert _login(client, "hp_s1_staff", via="198.51.100.7").status_code == 302
    client.post(reverse("accounts:logout"))
    for i in range(4):
        _login(client.__class__(), "xh_s1_staff", "wrong", via=f"203.0.113.{10 + i}")
    assert _login(client, "xh_s1_staff", via="198.51.100.7").status_code == 429


def test_password_spraying_from_one_address_is_stopped(client, territory, behind_proxy):
    """Review item 4: one wrong password for each of many accounts from one address, then
    a right one from the same address. Now the address is stopped; others are not."""
    behind_proxy.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for i in range(5):
        user_create(actor=None, username=f"sprayed{i}", password="x", check_password=False)
        _login(client, f"sprayed{i}", "Spring2026!", via="203.0.113.5")
    refused = _login(client, "xh_s1_staff", via="203.0.113.5")
    assert refused.status_code == 429
    assert "此网络登录失败次数过多" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert _login(client, "xh_s1_staff", via="198.51.100.7").status_code == 302


def test_the_spraying_stop_ends_with_the_window(client, territory, behind_proxy, monkeypatch):
    behind_proxy.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for i in range(3):
        user_create(actor=None, username=f"sprayed{i}", password="x", check_password=False)
        _login(client, f"sprayed{i}", "Spring2026!", via="203.0.113.5")
    assert _login(client, "xh_s1_staff", via="203.0.113.5").status_code == 429
    later = timezone.now() + datetime.timedelta(
        seconds=behind_proxy.LOGIN_THROTTLE_WINDOW_SECONDS + 1
    )
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _login(client, "xh_s1_staff", via="203.0.113.5").status_code == 302

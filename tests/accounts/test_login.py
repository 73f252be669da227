"""Signing in and out: passwords, safe redirects, lockout after repeated failures, and
the audit entries these security events leave."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from jiceng.core.models import AuditEntry
from tests.conftest import PASSWORD

HOME = "/"


def _login(client, username, password=PASSWORD, *, address="127.0.0.1", **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password, **extra},
        REMOTE_ADDR=address,
    )


def test_login_page_renders(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html


def test_right_password_signs_in_and_is_audited(client, territory):
    response = _login(client, "xh_s1_staff")
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.session["_auth_user_id"] == str(territory.users["xh_s1_staff"].pk)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert entry.actor == territory.users["xh_s1_staff"]


def test_login_rotates_the_session_key(client, territory):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    _login(client, "xh_s1_staff")
    assert client.session.session_key != before


def test_wrong_password_is_a_clear_chinese_error(client, territory):
    response = _login(client, "xh_s1_staff", password="wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert failed.target_id == str(territory.users["xh_s1_staff"].pk)
    assert failed.changes == {"locked_out": False, "known_account": True}


def test_unknown_username_is_not_written_to_the_audit_log(client, territory):
    # People type their password into the username field; it must not be logged.
    response = _login(client, "My-Secret-Passw0rd", password="whatever")
    assert "用户名或密码不正确" in response.content.decode()
    failed = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert "My-Secret-Passw0rd" not in f"{failed.target_label}{failed.changes}"
    assert failed.changes["known_account"] is False


def test_error_follows_the_page_language(client, territory):
    client.cookies["django_language"] = "en"
    response = _login(client, "xh_s1_staff", password="wrong")
    assert "Incorrect username or password" in response.content.decode()


def test_safe_next_is_honoured(client, territory):
    response = _login(client, "xh_s1_staff", next="/orgs/units/?coverage=uncovered")
    assert response["Location"] == "/orgs/units/?coverage=uncovered"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_unsafe_next_is_ignored(client, territory, target):
    page = client.get(reverse("accounts:login"), {"next": target})
    assert target not in page.content.decode()
    response = _login(client, "xh_s1_staff", next=target)
    assert response.status_code == 302 and response["Location"] == HOME


@pytest.fixture
def axes_on(settings):
    """django-axes is off for the rest of the suite; these tests turn it on and start
    from an empty attempt table."""
    from axes.utils import reset

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.5
    reset()
    yield
    reset()


def test_repeated_failures_lock_the_account(client, territory, axes_on):
    for _ in range(2):
        assert _login(client, "xh_s1_staff", password="wrong").status_code == 200
    # The failure that reaches the limit is already answered with the lockout page.
    assert _login(client, "xh_s1_staff", password="wrong").status_code == 429
    attempt = AccessAttempt.objects.get(username="xh_s1_staff")
    assert attempt.failures_since_start == 3
    locked = _login(client, "xh_s1_staff")  # even the right password now
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登录失败次数过多，账户已暂时锁定，请 30 分钟后再试或联系管理员" in html
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.LOGIN_FAILED, changes__locked_out=True
    ).exists()


def test_lockout_binds_username_and_address(client, territory, axes_on):
    for _ in range(3):
        _login(client, "xh_s1_staff", password="wrong")
    # Another account from the same address, and the same account from another
    # address, still sign in: one guesser cannot lock everybody out.
    assert _login(client, "hp_s1_staff").status_code == 302
    client.logout()
    assert _login(client, "xh_s1_staff", address="10.1.2.3").status_code == 302


def test_success_below_the_limit_resets_the_count(client, territory, axes_on):
    for _ in range(2):
        _login(client, "xh_s1_staff", password="wrong")
    assert _login(client, "xh_s1_staff").status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "xh_s1_staff", password="wrong")
    assert _login(client, "xh_s1_staff").status_code == 302


def test_permanent_lockout_points_to_an_administrator(client, territory, axes_on, settings):
    settings.AXES_COOLOFF_TIME = None
    for _ in range(3):
        _login(client, "xh_s1_staff", password="wrong")
    locked = _login(client, "xh_s1_staff")
    assert locked.status_code == 429
    assert "请联系管理员解锁" in locked.content.decode()


def test_without_axes_nothing_locks(client, territory):
    # The suite's default: shows that the lockout tests above depend on django-axes.
    for _ in range(5):
        _login(client, "xh_s1_staff", password="wrong")
    assert _login(client, "xh_s1_staff").status_code == 302


def test_logout_needs_post(client, territory):
    _login(client, "xh_s1_staff")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "已退出" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT).count() == 1
    assert client.get(HOME)["Location"].startswith(reverse("accounts:login"))

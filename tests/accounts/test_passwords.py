"""Passwords for every role (security review, item 6): a self-service change with the
old password and the rules, other sessions ended, audited; a forced change for accounts
an administrator created; an administrator's reset with a temporary password shown
once. Pages and API alike."""

import pytest
from django.test import Client
from django.urls import reverse

from jiceng.accounts.models import User
from jiceng.accounts.services import password_change, password_reset_issue
from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.models import AuditEntry
from tests.conftest import PASSWORD

NEW = "Fresh-Passw0rd!"


def _sign_in(username, password=PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.mark.parametrize(
    "role_key",
    [
        "xh_g1_worker",
        "xh_member",
        "xh_resident",
        "xh_unit_secretary",
        "xh_c1_secretary",
        "xh_s1_staff",
        "city_admin",
        "nobody",
    ],
)
def test_every_role_changes_its_own_password_on_a_page(territory, role_key):
    user = territory.users[role_key]
    client = _sign_in(user.username)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    done = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW) and user.password_changed_at is not None
    assert client.get("/").status_code == 200  # this session continues
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.PASSWORD_CHANGE, target_id=str(user.pk)
    ).exists()


def test_a_change_ends_the_other_sessions(territory):
    user = territory.users["xh_s1_staff"]
    here, elsewhere = _sign_in(user.username), _sign_in(user.username)
    assert elsewhere.get("/").status_code == 200
    here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW},
    )
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "old,new,again,field,message",
    [
        ("wrong", NEW, NEW, "old_password", "原密码不正确"),
        (PASSWORD, "short1!", "short1!", "new_password", "密码"),
        (PASSWORD, "alllowercaseletters", "alllowercaseletters", "new_password", "三类"),
        (PASSWORD, PASSWORD, PASSWORD, "new_password", "不能与原密码相同"),
        (PASSWORD, NEW, NEW + "x", "new_password2", "两次输入的新密码不一致"),
    ],
)
def test_refusals_show_on_their_field_and_change_nothing(
    client, territory, old, new, again, field, message
):
    user = territory.users["xh_s1_staff"]
    client = _sign_in(user.username)
    before = User.objects.get(pk=user.pk).password
    page = client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password": new, "new_password2": again},
    )
    assert page.status_code == 200
    assert message in str(page.context["form"].errors[field])
    assert User.objects.get(pk=user.pk).password == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_CHANGE).exists()


def test_the_api_changes_the_password_with_the_same_refusals(territory):
    user = territory.users["xh_g1_worker"]
    client = _sign_in(user.username)
    wrong = client.post(
        "/api/me/password",
        {"old_password": "wrong", "new_password": NEW},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": "account_old_password",
        "message": "原密码不正确",
        "field": "old_password",
    }
    ok = client.post(
        "/api/me/password",
        {"old_password": PASSWORD, "new_password": NEW},
        content_type="application/json",
    )
    assert ok.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get("/api/me").status_code == 200


def test_an_account_made_by_an_administrator_must_change_its_password_first(territory):
    admin = _sign_in("xh_c1_secretary")
    created = admin.post(
        reverse("accounts:account_new"),
        {
            "username": "new.worker",
            "full_name": "新网格员",
            "password": "Initial-Passw0rd!",
            "role": "grid_worker",
            "area": territory.areas["xh_g1"].pk,
        },
    )
    assert created.status_code == 302
    newcomer = User.objects.get(username="new.worker")
    assert newcomer.must_change_password

    client = Client()
    first = client.post(
        reverse("accounts:login"), {"username": "new.worker", "password": "Initial-Passw0rd!"}
    )
    assert first["Location"].startswith(reverse("accounts:password_change"))
    assert client.get("/")["Location"].startswith(reverse("accounts:password_change"))
    assert client.get("/appeals/")["Location"].startswith(reverse("accounts:password_change"))
    api = client.get("/api/me")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    page = client.get(reverse("accounts:password_change"))
    assert "您的密码由管理员设置" in page.content.decode()
    client.post(
        reverse("accounts:password_change"),
        {"old_password": "Initial-Passw0rd!", "new_password": NEW, "new_password2": NEW},
    )
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert client.get("/").status_code == 200
    assert client.get("/api/me").status_code == 200


def test_an_administrator_resets_a_password_shown_once(territory):
    target = territory.users["xh_c1_secretary"]
    old_session = _sign_in(target.username)
    admin = _sign_in("xh_s1_staff")
    listing = admin.get(reverse("accounts:account_list")).content.decode()
    assert reverse("accounts:password_reset", args=[target.pk]) in listing
    assert admin.get(reverse("accounts:password_reset", args=[target.pk])).status_code == 405
    shown = admin.post(reverse("accounts:password_reset", args=[target.pk]))
    assert shown.status_code == 200
    temporary = shown.context["temporary"]
    assert temporary in shown.content.decode() and len(temporary) == 16
    assert "此密码只显示这一次" in shown.content.decode()
    target.refresh_from_db()
    assert target.check_password(temporary) and target.must_change_password
    # The holder's sessions end; the temporary password signs in and must be changed.
    assert old_session.get("/")["Location"].startswith(reverse("accounts:login"))
    client = Client()
    first = client.post(
        reverse("accounts:login"), {"username": target.username, "password": temporary}
    )
    assert first["Location"].startswith(reverse("accounts:password_change"))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_RESET)
    assert entry.target_id == str(target.pk) and temporary not in str(entry.changes)


def test_the_api_resets_with_the_same_rule(territory):
    target = territory.users["xh_c1_secretary"]
    admin = _sign_in("xh_s1_staff")
    response = admin.post(f"/api/accounts/{target.pk}/password-reset")
    assert response.status_code == 200
    body = response.json()
    target.refresh_from_db()
    assert body["user_id"] == target.pk and target.check_password(body["temporary_password"])
    outsider = _sign_in("hp_s1_staff")
    assert outsider.post(f"/api/accounts/{target.pk}/password-reset").status_code == 404


@pytest.mark.parametrize(
    "actor_key,target_key",
    [
        ("xh_c1_secretary", "xh_admin"),  # upward
        ("hp_s1_staff", "xh_c1_secretary"),  # another district
        ("xh_s1_staff", "xh_s1_staff"),  # oneself: that is a change
        ("xh_c1_secretary", "superuser"),
        ("xh_member", "xh_resident"),  # not an administrator
    ],
)
def test_resets_stay_inside_the_administrators_territory(territory, actor_key, target_key):
    actor, target = territory.users[actor_key], territory.users[target_key]
    before = User.objects.get(pk=target.pk).password
    with pytest.raises(NotFound):
        password_reset_issue(actor=actor, user=target)
    client = _sign_in(actor.username)
    assert client.post(reverse("accounts:password_reset", args=[target.pk])).status_code == 404
    assert User.objects.get(pk=target.pk).password == before


def test_the_service_refuses_a_wrong_old_password(territory):
    with pytest.raises(ValidationFailed) as error:
        password_change(actor=territory.users["xh_member"], old_password="x", new_password=NEW)
    assert error.value.field == "old_password"


def test_account_administration_in_the_api(territory):
    admin = _sign_in("xh_c1_secretary")
    listed = admin.get("/api/accounts").json()
    assert {row["username"] for row in listed["items"]} >= {"xh_c1_secretary"}
    created = admin.post(
        "/api/accounts",
        {
            "username": "api.worker",
            "full_name": "接口网格员",
            "password": "Initial-Passw0rd!",
            "role": "grid_worker",
            "area_id": territory.areas["xh_g1"].pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["must_change_password"] is True
    weak = admin.post(
        "/api/accounts",
        {
            "username": "api.weak",
            "password": "weak",
            "role": "grid_worker",
            "area_id": territory.areas["xh_g1"].pk,
        },
        content_type="application/json",
    )
    assert weak.status_code == 400 and weak.json()["field"] == "password"
    assert not User.objects.filter(username="api.weak").exists()
    foreign = admin.post(
        "/api/accounts",
        {
            "username": "api.far",
            "password": "Initial-Passw0rd!",
            "role": "grid_worker",
            "area_id": territory.areas["hp_g1"].pk,
        },
        content_type="application/json",
    )
    assert foreign.status_code == 404
    assert not User.objects.filter(username="api.far").exists()
    assignment = User.objects.get(username="api.worker").assignments.get()
    revoked = admin.post(f"/api/accounts/roles/{assignment.pk}/revoke")
    assert revoked.status_code == 200
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    member = _sign_in("xh_member")
    assert member.get("/api/accounts").status_code == 404

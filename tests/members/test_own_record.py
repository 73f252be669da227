"""A party member's own file: opened by the org that keeps the record, seen by the member
and by nobody else through that account; reveals audited; the role follows a transfer."""

import datetime

import pytest
from django.urls import reverse

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.scope import forget_scope, scope_for
from jiceng.members import selectors, services
from jiceng.members.models import Member, MemberEvent
from tests.members.factories import facts

PASSWORD = "Jiceng-Own-2026!"


@pytest.fixture
def member(territory):
    return services.member_register(
        actor=territory.users["xh_c1_secretary"],
        org=territory.orgs["xh_c1_b1"],
        facts=facts(name="王芳", phone="13912345678"),
        residence_community=territory.areas["xh_c1"],
    )


@pytest.fixture
def other(territory):
    return services.member_register(
        actor=territory.users["xh_c1_secretary"],
        org=territory.orgs["xh_c1_b1"],
        facts=facts(name="李强"),
    )


def _open(territory, member, username="wangfang"):
    """The secretary opens the account; the member then chooses their own password, as
    the first sign-in requires."""
    from jiceng.accounts.services import password_change

    user = services.member_account_open(
        actor=territory.users["xh_c1_secretary"],
        member=member,
        username=username,
        password=PASSWORD,
    )
    assert user.must_change_password
    return password_change(actor=user, old_password=PASSWORD, new_password="Own-Passw0rd!")


def test_open_account_links_grants_and_records(territory, member):
    user = _open(territory, member)
    member.refresh_from_db()
    assert member.account == user and user.full_name == "王芳"
    assignment = RoleAssignment.objects.get(user=user, revoked_at__isnull=True)
    assert assignment.role == "member" and assignment.org == member.org
    assert member.events.filter(kind=MemberEvent.Kind.ACCOUNT_OPENED).exists()
    assert AuditEntry.objects.filter(
        target_type="members.member", target_id=str(member.pk), action="update"
    ).exists()


def test_open_account_refusals_leave_nothing(territory, member):
    _open(territory, member)
    with pytest.raises(Conflict) as error:
        _open(territory, member, username="another")
    assert error.value.field == "username"
    assert not User.objects.filter(username="another").exists()

    fresh = services.member_register(
        actor=territory.users["xh_c1_secretary"], org=territory.orgs["xh_c1_b1"], facts=facts()
    )
    with pytest.raises(ValidationFailed) as error:
        services.member_account_open(
            actor=territory.users["xh_c1_secretary"],
            member=fresh,
            username="x y",
            password=PASSWORD,
        )
    assert error.value.field == "username"
    with pytest.raises(ValidationFailed) as error:
        services.member_account_open(
            actor=territory.users["xh_c1_secretary"], member=fresh, username="fresh1", password="1"
        )
    assert error.value.field == "password"
    assert not User.objects.filter(username="fresh1").exists()
    assert Member.objects.get(pk=fresh.pk).account_id is None
    # Another community's secretary cannot even see the record.
    with pytest.raises(NotFound):
        services.member_account_open(
            actor=territory.users["xh_c3_secretary"],
            member=fresh,
            username="fresh2",
            password=PASSWORD,
        )


def test_member_sees_own_record_and_nobody_elses(territory, member, other):
    user = _open(territory, member)
    scope = scope_for(user)
    visible = set(scope.filter(Member.objects.all()).values_list("pk", flat=True))
    assert visible == {member.pk}
    assert selectors.member_own(viewer=user) == member
    assert selectors.member_own(viewer=territory.users["xh_member"]) is None


def test_own_page_masks_and_self_reveal_is_audited(client, territory, member, other):
    user = _open(territory, member)
    report = services.dual_report_member(
        actor=territory.users["xh_c1_secretary"], member=member, community=territory.areas["xh_c1"]
    )
    services.service_record_add(
        actor=territory.users["xh_c1_secretary"],
        report=report,
        task="楼道清洁",
        served_on=datetime.date.today() - datetime.timedelta(days=1),
        hours="2.5",
    )
    client.force_login(user)
    home = client.get(reverse("dashboard:home")).content.decode()
    assert reverse("members:me") in home
    page = client.get(reverse("members:me")).content.decode()
    number = services.member_reveal(
        actor=territory.users["xh_admin"], member=member, field="id_number"
    )
    assert "王芳" in page and number not in page and "139****5678" in page
    assert "2.5" in page  # the hours, in total
    assert "李强" not in page
    reveals = AuditEntry.objects.filter(action="reveal").count()
    response = client.post(reverse("members:reveal", args=[member.pk]), {"field": "id_number"})
    assert response.status_code == 302 and response["Location"] == reverse("members:me")
    assert number in client.get(reverse("members:me")).content.decode()
    assert AuditEntry.objects.filter(action="reveal").count() == reveals + 1
    # Not another member's record, and not the staff lists.
    assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("members:reveal", args=[other.pk]), {"field": "id_number"}).status_code
        == 404
    )
    assert "李强" not in client.get(reverse("members:list")).content.decode()


def test_page_without_linked_record(client, territory):
    client.force_login(territory.users["xh_member"])
    response = client.get(reverse("members:me"))
    assert response.status_code == 200 and "尚未关联党员档案" in response.content.decode()


def test_open_account_through_the_detail_page(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("members:account", args=[member.pk])
    client.post(url, {"username": "wangfang", "password": ""})
    assert Member.objects.get(pk=member.pk).account_id is None
    client.post(url, {"username": "wangfang", "password": PASSWORD})
    assert Member.objects.get(pk=member.pk).account.username == "wangfang"
    detail = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "wangfang" in detail
    client.force_login(territory.users["xh_c3_secretary"])
    assert client.post(url, {"username": "x1", "password": PASSWORD}).status_code == 404


def test_role_follows_an_accepted_transfer(territory, member):
    user = _open(territory, member)
    transfer = services.transfer_start(
        actor=territory.users["xh_c1_secretary"],
        member=member,
        to_org=territory.orgs["hp_c1_b"],
        reason="迁居黄浦",
    )
    services.transfer_accept(actor=territory.users["hp_s1_staff"], transfer=transfer)
    active = RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
    assert [(a.role, a.org_id) for a in active] == [("member", territory.orgs["hp_c1_b"].pk)]
    forget_scope(user)
    assert selectors.member_own(viewer=user) == Member.objects.get(pk=member.pk)


def test_api_me_and_register_show_only_the_own_record(client, territory, member, other):
    user = _open(territory, member)
    client.force_login(user)
    me = client.get("/api/members/me").json()
    assert me["id"] == member.pk and me["phone"] == "139****5678"
    assert [row["id"] for row in client.get("/api/members").json()["items"]] == [member.pk]
    assert client.get(f"/api/members/{other.pk}").status_code == 404
    revealed = client.post(
        f"/api/members/{member.pk}/reveal", {"field": "phone"}, content_type="application/json"
    )
    assert revealed.status_code == 200 and revealed.json()["value"] == "13912345678"
    client.force_login(territory.users["xh_member"])
    assert client.get("/api/members/me").status_code == 404


def test_link_an_existing_account(territory, member, other):
    user = territory.users["xh_member"]
    services.member_account_link(actor=territory.users["xh_c1_secretary"], member=member, user=user)
    assert selectors.member_own(viewer=user) == Member.objects.get(pk=member.pk)
    with pytest.raises(Conflict):
        services.member_account_link(
            actor=territory.users["xh_c1_secretary"], member=other, user=user
        )
    assert Member.objects.get(pk=other.pk).account_id is None


def test_open_account_through_the_api(client, territory, member):
    import json

    client.force_login(territory.users["xh_c3_secretary"])
    url = f"/api/members/{member.pk}/account"
    body = {"username": "wangfang", "password": PASSWORD}
    hidden = client.post(url, json.dumps(body), content_type="application/json")
    assert hidden.status_code == 404
    client.force_login(territory.users["xh_c1_secretary"])
    weak = client.post(url, json.dumps({**body, "password": "1"}), content_type="application/json")
    assert weak.status_code == 400 and weak.json()["field"] == "password"
    assert not User.objects.filter(username="wangfang").exists()
    opened = client.post(url, json.dumps(body), content_type="application/json")
    assert opened.status_code == 201 and opened.json()["must_change_password"] is True
    member.refresh_from_db()
    assert member.account.username == "wangfang"
    assert PASSWORD not in json.dumps(opened.json())

"""The admin is a scoped, read-only window: staff see their territory only, in Chinese."""

import pytest
from django.urls import reverse

from jiceng.members import services as member_services
from tests.members.factories import facts


def test_staff_role_opens_the_admin_in_chinese(client, territory):
    staff = territory.users["xh_s1_staff"]
    staff.refresh_from_db()
    assert staff.is_staff
    client.force_login(staff)
    html = client.get(reverse("admin:index")).content.decode()
    assert "基层党建信息平台 · 管理后台" in html


def test_changelists_are_scoped(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    units = client.get(reverse("admin:orgs_unit_changelist")).content.decode()
    assert "上海武康咖啡有限公司" in units and "上海南京东路餐饮有限公司" not in units
    assert "上海天平路洗衣店" not in units  # another street of the same district
    areas = client.get(reverse("admin:core_area_changelist")).content.decode()
    assert "复兴西路社区居委会" in areas and "贵州路社区居委会" not in areas
    other = territory.units["hp_plain"]
    response = client.get(reverse("admin:orgs_unit_change", args=[other.pk]))
    assert response.status_code in (302, 403, 404)


def test_nothing_is_written_through_the_admin(client, territory):
    client.force_login(territory.users["xh_admin"])
    unit = territory.units["xh_own"]
    assert client.get(reverse("admin:orgs_unit_add")).status_code == 403
    response = client.post(reverse("admin:orgs_unit_change", args=[unit.pk]), {"name": "改名"})
    unit.refresh_from_db()
    assert unit.name != "改名" and response.status_code in (403, 200)
    assert client.get(reverse("admin:orgs_unit_delete", args=[unit.pk])).status_code == 403


def test_audit_log_is_for_superusers(client, territory):
    client.force_login(territory.users["xh_admin"])
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 403
    client.force_login(territory.users["superuser"])
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200


@pytest.mark.parametrize("key", ["xh_g1_worker", "xh_member", "xh_resident", "nobody"])
def test_roles_without_admin_rights_are_kept_out(client, territory, key):
    client.force_login(territory.users[key])
    response = client.get(reverse("admin:orgs_unit_changelist"))
    assert response.status_code == 302  # to the admin login


def test_member_admin_hides_personal_numbers(client, territory):
    member = member_services.member_register(
        actor=territory.users["xh_c1_secretary"], org=territory.orgs["xh_c1_b1"], facts=facts()
    )
    client.force_login(territory.users["xh_admin"])
    html = client.get(reverse("admin:members_member_change", args=[member.pk])).content.decode()
    assert member.name in html and "id_number" not in html and "phone" not in html


def test_changelist_query_count_is_constant(client, territory, django_assert_max_num_queries):
    client.force_login(territory.users["xh_admin"])
    with django_assert_max_num_queries(14):
        client.get(reverse("admin:orgs_unit_changelist"))

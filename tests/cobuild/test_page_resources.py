"""Resource pages: a unit's org or an in-service member's dual report offers a resource;
its provider corrects or withdraws it; refusals name the field."""

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import Resource
from jiceng.core.models import AuditEntry
from jiceng.members import services as member_services
from tests.cobuild.conftest import days
from tests.members.factories import facts as member_facts


def offer(t, **overrides) -> dict:
    data = {
        "provider": f"org:{t.orgs['xh_unit_org'].pk}",
        "title": "企业会议室开放",
        "kind": "venue",
        "category": "venue",
        "area": "",
        "capacity": "2",
        "available_from": days(0).isoformat(),
        "available_until": days(90).isoformat(),
        "description": "周末可用",
    }
    data.update(overrides)
    return data


def test_unit_org_secretary_offers_a_resource(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    page = client.get(reverse("cobuild:resource_new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "上海徐汇某科技有限公司党支部" in html and "贵州路" not in html
    response = client.post(reverse("cobuild:resource_new"), offer(territory))
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cobuild:resource", args=[resource.pk])
    # No area chosen: the org's own place.
    assert resource.area == territory.orgs["xh_unit_org"].area
    assert resource.offered_by_org == territory.orgs["xh_unit_org"] and resource.capacity == 2
    assert AuditEntry.objects.filter(
        target_type="cobuild.resource", target_id=str(resource.pk), action="create"
    ).exists()
    assert "企业会议室开放" in client.get(response["Location"]).content.decode()


def test_community_records_a_members_offer_through_the_dual_report(client, territory):
    member = member_services.member_register(
        actor=None,
        org=territory.orgs["xh_unit_org"],
        facts=member_facts(category="in_service"),
    )
    report = member_services.dual_report_member(
        actor=None, member=member, community=territory.areas["xh_c1"]
    )
    client.force_login(territory.users["xh_c1_secretary"])
    html = client.get(reverse("cobuild:resource_new")).content.decode()
    assert f"report:{report.pk}" in html
    response = client.post(
        reverse("cobuild:resource_new"),
        offer(
            territory,
            provider=f"report:{report.pk}",
            kind="skilled_volunteers",
            category="health",
            title="义诊",
        ),
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.dual_report == report and resource.area == territory.areas["xh_c1"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"provider": ""}, "provider"),
        ({"provider": "org:999999"}, "provider"),
        ({"title": ""}, "title"),
        ({"kind": "rocket"}, "kind"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "1001"}, "capacity"),
        ({"available_until": days(-1).isoformat()}, "available_until"),
        ({"available_until": days(3 * 366 + 5).isoformat()}, "available_until"),
        ({"description": "长" * 2001}, "description"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(client, territory, overrides, field):
    client.force_login(territory.users["xh_unit_secretary"])
    response = client.post(reverse("cobuild:resource_new"), offer(territory, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    label = response.context["form"].fields[field].label
    assert f"{label}：" in response.content.decode()
    assert not Resource.objects.exists()


def test_an_area_outside_the_viewers_territory_cannot_be_chosen(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    data = offer(
        territory,
        provider=f"org:{territory.orgs['xh_c1_b1'].pk}",
        area=territory.areas["hp_c1"].pk,
    )
    response = client.post(reverse("cobuild:resource_new"), data)
    assert "area" in response.context["form"].errors
    assert not Resource.objects.exists()


def test_resource_form_is_404_for_who_speaks_for_no_org(client, territory):
    client.force_login(territory.users["xh_resident"])
    assert client.get(reverse("cobuild:resource_new")).status_code == 404


def test_provider_edits_capacity_and_window(client, world):
    resource = world.resource(capacity=2)
    client.force_login(world.t.users["xh_unit_secretary"])
    url = reverse("cobuild:resource", args=[resource.pk])
    response = client.post(
        url,
        {
            "form": "edit",
            "title": "助餐服务（扩大）",
            "capacity": "5",
            "available_from": days(0).isoformat(),
            "available_until": days(120).isoformat(),
            "description": "",
        },
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.capacity == 5 and resource.available_until == days(120)
    assert resource.title == "助餐服务（扩大）"
    entry = AuditEntry.objects.filter(target_type="cobuild.resource", action="update").get()
    assert entry.changes["capacity"] == {"old": 2, "new": 5}


def test_capacity_cannot_drop_below_the_projects_it_serves(client, world):
    resource = world.resource(capacity=2)
    for n in range(2):
        need = world.need(title=f"需求{n}")
        services.project_create(actor=None, need=need, resources=[resource])
    client.force_login(world.t.users["xh_c1_secretary"])
    url = reverse("cobuild:resource", args=[resource.pk])
    response = client.post(
        url,
        {
            "form": "edit",
            "title": resource.title,
            "capacity": "1",
            "available_from": days(0).isoformat(),
            "available_until": days(60).isoformat(),
        },
    )
    assert response.status_code == 200
    errors = response.context["edit_form"].errors
    assert "capacity" in errors and "（2）" in errors["capacity"][0]
    resource.refresh_from_db()
    assert resource.capacity == 2


def test_provider_withdraws_a_resource(client, world):
    resource = world.resource()
    client.force_login(world.t.users["xh_unit_secretary"])
    url = reverse("cobuild:resource", args=[resource.pk])
    assert client.post(url, {"form": "withdraw", "reason": "场地装修"}).status_code == 302
    resource.refresh_from_db()
    assert not resource.is_active and resource.withdrawn_at
    html = client.get(url).content.decode()
    assert "已撤回" in html and 'value="withdraw"' not in html


def test_resource_out_of_scope_is_404_and_untouched(client, world):
    resource = world.resource()
    client.force_login(world.t.users["hp_s1_staff"])
    url = reverse("cobuild:resource", args=[resource.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"form": "withdraw"}).status_code == 404
    resource.refresh_from_db()
    assert resource.is_active


def test_links_lead_only_to_forms_the_viewer_may_use(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    overview = client.get(reverse("cobuild:overview")).content.decode()
    assert reverse("cobuild:resource_new") in overview
    assert reverse("cobuild:need_new") not in overview
    meetings = client.get(reverse("cobuild:meetings")).content.decode()
    assert reverse("cobuild:meeting_new") not in meetings
    assert reverse("cobuild:agreement_new") not in meetings
    client.force_login(territory.users["xh_c1_secretary"])
    overview = client.get(reverse("cobuild:overview")).content.decode()
    assert reverse("cobuild:need_new") in overview and reverse("cobuild:need_report") in overview
    meetings = client.get(reverse("cobuild:meetings")).content.decode()
    assert reverse("cobuild:meeting_new") in meetings
    assert reverse("cobuild:agreement_new") in meetings
    venues = client.get(reverse("cobuild:venues")).content.decode()
    assert reverse("cobuild:venue_new") in venues


def test_resource_page_queries_do_not_grow(client, world, django_assert_max_num_queries):
    resource = world.resource(capacity=6)
    services.project_create(actor=None, need=world.need(title="需求"), resources=[resource])
    client.force_login(world.t.users["xh_c1_secretary"])
    url = reverse("cobuild:resource", args=[resource.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(5):
        services.project_create(actor=None, need=world.need(title=f"需求{n}"), resources=[resource])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200

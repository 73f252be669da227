"""Resource pages: a unit's org or an in-service member's dual report offers a resource;
its provider corrects or withdraws it; refusals name the field."""

import datetime

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.forms import MSG_NO_PROVIDER, MSG_TWO_PROVIDERS
from jiceng.cobuild.models import Resource
from jiceng.core.models import AuditEntry
from jiceng.core.pickers import MSG_NOT_OFFERED
from jiceng.members import services as member_services
from tests.cobuild.conftest import days
from tests.conftest import pick_search
from tests.members.factories import facts as member_facts


def offer(t, **overrides) -> dict:
    data = {
        "org": t.orgs["xh_unit_org"].pk,
        "dual_report": "",
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


def member_report(t, *, name="张伟", community="xh_c1", birth=datetime.date(1985, 6, 1)):
    """An in-service member of the unit's org, reported to a community."""
    member = member_services.member_register(
        actor=None,
        org=t.orgs["xh_unit_org"],
        facts=member_facts(name=name, birth=birth, category="in_service"),
    )
    return member_services.dual_report_member(
        actor=None, member=member, community=t.areas[community]
    )


def test_unit_org_secretary_offers_a_resource(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    page = client.get(reverse("cobuild:resource_new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "上海徐汇某科技有限公司党支部" in html and "贵州路" not in html
    # Their only provider is chosen already; the org's party group is no provider.
    assert page.context["form"].initial["org"] == territory.orgs["xh_unit_org"].pk
    assert "研发部党小组" not in html
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
    report = member_report(territory)
    client.force_login(territory.users["xh_c1_secretary"])
    page = client.get(reverse("cobuild:resource_new"))
    assert "在职党员 张伟（报到复兴西路社区居委会）" in page.content.decode()
    # Orgs and a report to choose from: nothing is chosen for them.
    assert "org" not in page.context["form"].initial
    assert "dual_report" not in page.context["form"].initial
    response = client.post(
        reverse("cobuild:resource_new"),
        offer(
            territory,
            org="",
            dual_report=report.pk,
            kind="skilled_volunteers",
            category="health",
            title="义诊",
        ),
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.dual_report == report and resource.offered_by_org is None
    assert resource.area == territory.areas["xh_c1"]


def test_a_community_with_no_org_records_its_only_members_offer(client, territory):
    """xh_c3 has no org of its own: its secretary comes for the members reported there,
    and the only one is chosen already."""
    client.force_login(territory.users["xh_c3_secretary"])
    assert client.get(reverse("cobuild:resource_new")).status_code == 404
    report = member_report(territory, community="xh_c3")
    form = client.get(reverse("cobuild:resource_new")).context["form"]
    assert form.initial["dual_report"] == report.pk and "org" not in form.initial
    data = offer(territory, org="", dual_report=report.pk)
    assert client.post(reverse("cobuild:resource_new"), data).status_code == 302
    assert Resource.objects.get().dual_report == report


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"org": ""}, "org"),
        ({"org": "999999"}, "org"),
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
    assert response.status_code == 422
    assert field in response.context["form"].errors, response.context["form"].errors
    label = response.context["form"].fields[field].label
    assert f"{label}：" in response.content.decode()
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    "providers, field, message",
    [
        ({"org": "", "dual_report": ""}, "org", MSG_NO_PROVIDER),
        ({"dual_report": "report"}, "dual_report", MSG_TWO_PROVIDERS),
    ],
)
def test_neither_or_both_providers_are_refused(client, territory, providers, field, message):
    report = member_report(territory)
    if providers["dual_report"] == "report":
        providers = {**providers, "dual_report": report.pk}
    client.force_login(territory.users["xh_c1_secretary"])
    before = AuditEntry.objects.count()
    response = client.post(reverse("cobuild:resource_new"), offer(territory, **providers))
    assert response.status_code == 422
    assert response.context["form"].errors == {field: [str(message)]}
    assert str(message) in response.content.decode()
    assert not Resource.objects.exists() and AuditEntry.objects.count() == before


@pytest.mark.parametrize("org", ["xh_c1_b1", "xh_unit_group", "hp_c1_b"])
def test_an_org_the_viewer_may_not_manage_is_refused_on_org(client, territory, org):
    """Another org of the district, the secretary's own party group (no provider), an
    org of another district: none is offered, none is taken."""
    client.force_login(territory.users["xh_unit_secretary"])
    data = offer(territory, org=territory.orgs[org].pk)
    response = client.post(reverse("cobuild:resource_new"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["org"] == [str(MSG_NOT_OFFERED)]
    assert not Resource.objects.exists()


def test_a_report_the_viewer_may_not_record_is_refused_on_dual_report(client, territory):
    report = member_report(territory)
    client.force_login(territory.users["hp_s1_staff"])
    data = offer(territory, org="", dual_report=report.pk)
    response = client.post(reverse("cobuild:resource_new"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["dual_report"] == [str(MSG_NOT_OFFERED)]
    assert not Resource.objects.exists()


def test_pickers_find_providers_by_name_or_community(client, territory):
    """Typed text finds an org by name, a report by the member's name or the community
    they reported to; never one the viewer may not choose."""
    member_report(territory)
    member_report(territory, name="李娜", community="xh_c3", birth=datetime.date(1990, 3, 8))
    client.force_login(territory.users["xh_admin"])
    by_name = pick_search(client, "provider-reports", "李娜").content.decode()
    assert "在职党员 李娜（报到东平路社区居委会）" in by_name and "张伟" not in by_name
    by_community = pick_search(client, "provider-reports", "复兴西路").content.decode()
    assert "在职党员 张伟（报到复兴西路社区居委会）" in by_community and "李娜" not in by_community
    found = pick_search(client, "manageable-orgs", "科技", groups="0").content.decode()
    assert f'<option value="{territory.orgs["xh_unit_org"].pk}">' in found
    groups_left_out = pick_search(client, "manageable-orgs", "党小组", groups="0")
    assert "研发部党小组" not in groups_left_out.content.decode()
    assert "研发部党小组" in pick_search(client, "manageable-orgs", "党小组").content.decode()
    client.force_login(territory.users["hp_s1_staff"])
    assert "李娜" not in pick_search(client, "provider-reports", "李娜").content.decode()


def test_an_area_outside_the_viewers_territory_cannot_be_chosen(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    data = offer(territory, org=territory.orgs["xh_c1_b1"].pk, area=territory.areas["hp_c1"].pk)
    response = client.post(reverse("cobuild:resource_new"), data)
    assert "area" in response.context["form"].errors
    assert not Resource.objects.exists()


def test_resource_form_is_404_for_who_speaks_for_no_org(client, territory):
    member_report(territory)  # a report, but not one these record
    for key in ("xh_resident", "xh_member"):
        client.force_login(territory.users[key])
        assert client.get(reverse("cobuild:resource_new")).status_code == 404
        assert client.post(reverse("cobuild:resource_new"), offer(territory)).status_code == 404
    assert not Resource.objects.exists()


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

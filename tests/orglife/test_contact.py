"""Contact points and household visits: problems tracked to resolution or handed to the
appeals workflow; whatever a visit raised goes on in one step carrying the text."""

import pytest
from django.urls import reverse

from jiceng.appeals.models import Appeal
from jiceng.cobuild.models import Need
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.members import services as member_services
from jiceng.orglife import services
from jiceng.orglife.errors import OrgLifeErrorCode as Code
from jiceng.orglife.models import ContactProblem, Issue

from .conftest import day


@pytest.fixture
def point(territory):
    return services.contact_point_create(
        actor=territory.users["xh_s1_staff"],
        official_name="刘主任",
        official_title="街道办事处主任",
        official_area=territory.areas["xh_s1"],
        org=territory.orgs["xh_c1_gb"],
        started_on=day(1),
    )


def test_visit_problems_tracked_to_resolution(point, territory):
    user = territory.users["xh_s1_staff"]
    visit = services.contact_visit_record(
        actor=user,
        point=point,
        visited_on=day(2),
        notes="走访老旧小区",
        problems=["3号楼路灯不亮", "", "活动室漏雨"],
    )
    assert visit.problems.count() == 2
    lamp, roof = ContactProblem.objects.order_by("id")
    services.problem_assign(actor=user, problem=lamp, owner_name="物业公司", deadline=day(3))
    services.problem_resolve(actor=user, problem=lamp, resolution="已更换灯泡", resolved_on=day(3))
    lamp.refresh_from_db()
    assert (lamp.status, lamp.owner_name) == ("resolved", "物业公司")
    with pytest.raises(ApplicationError) as caught:
        services.problem_resolve(actor=user, problem=lamp, resolution="再次")
    assert caught.value.code == Code.PROBLEM_RESOLVED
    from jiceng.appeals.models import Category

    services.problem_to_appeal(actor=user, problem=roof, category=Category.objects.get(code="leak"))
    roof.refresh_from_db()
    appeal = Appeal.objects.get(pk=roof.appeal_id)
    assert appeal.description == "活动室漏雨" and roof.status == "open"
    with pytest.raises(ApplicationError) as caught:
        services.problem_to_appeal(actor=user, problem=roof, category=appeal.category)
    assert caught.value.code == Code.ALREADY_FORWARDED
    assert AuditEntry.objects.filter(target_type="orglife.contactproblem").count() == 5


def test_official_level_and_territory(territory):
    for area, org in (("xh_c1", "xh_c1_gb"), ("hp_s1", "xh_c1_gb")):
        with pytest.raises(ApplicationError) as caught:
            services.contact_point_create(
                actor=None,
                official_name="某",
                official_area=territory.areas[area],
                org=territory.orgs[org],
                started_on=day(1),
            )
        assert caught.value.code == Code.OFFICIAL_LEVEL


def test_another_street_cannot_record_at_the_point(point, territory):
    with pytest.raises(NotFound):
        services.contact_visit_record(
            actor=territory.users["hp_s1_staff"], point=point, visited_on=day(2)
        )


@pytest.fixture
def link(life, territory):
    return services.household_link_create(
        actor=territory.users["xh_c1_secretary"],
        member=life.members["wang"],
        grid=territory.areas["xh_g1"],
        household="复兴西路 5 号 201 室",
        started_on=day(1),
    )


def _visit(link, raised="独居老人希望有人帮忙买菜", actor=None):
    return services.household_visit_record(actor=actor, link=link, visited_on=day(2), raised=raised)


def test_visit_raises_become_appeal_need_or_issue_carrying_the_text(link, territory):
    from jiceng.appeals.models import Category

    user = territory.users["xh_c1_secretary"]
    to_appeal = services.visit_to_appeal(
        actor=user,
        visit=_visit(link, "楼道堆物堵塞通道"),
        category=Category.objects.get(code="street-order"),
    )
    assert Appeal.objects.get(pk=to_appeal.appeal_id).description == "楼道堆物堵塞通道"
    to_need = services.visit_to_need(actor=user, visit=_visit(link), category="elderly_care")
    need = Need.objects.get(pk=to_need.need_id)
    assert need.description == "独居老人希望有人帮忙买菜"
    assert need.community == territory.areas["xh_c1"]
    to_issue = services.visit_to_issue(actor=user, visit=_visit(link, "加装电梯意见不一"))
    issue = Issue.objects.get(pk=to_issue.issue_id)
    assert (issue.text, issue.source) == ("加装电梯意见不一", "visit")
    for done in (to_appeal, to_need, to_issue):
        with pytest.raises(ApplicationError) as caught:
            services.visit_to_issue(actor=user, visit=done)
        assert caught.value.code == Code.ALREADY_FORWARDED
    with pytest.raises(ApplicationError) as caught:
        services.visit_to_issue(actor=user, visit=_visit(link, ""))
    assert caught.value.code == Code.NOTHING_RAISED


def test_the_member_records_their_own_visit(link, life, territory, django_user_model):
    account = member_services.member_account_open(
        actor=None, member=life.members["wang"], username="wang_member", password="Xx-12345678!"
    )
    visit = _visit(link, actor=account)
    assert visit.recorded_by == account
    with pytest.raises((NotFound, ApplicationError)):
        _visit(link, actor=territory.users["xh_c3_secretary"])


def test_household_link_refusals(life, territory, link):
    with pytest.raises(ApplicationError) as caught:
        services.household_link_create(
            actor=None,
            member=life.members["wang"],
            grid=territory.areas["xh_c1"],
            household="x",
            started_on=day(1),
        )
    assert caught.value.code == Code.GRID_REQUIRED
    with pytest.raises(ApplicationError) as caught:
        services.household_link_create(
            actor=None,
            member=life.members["wang"],
            grid=territory.areas["xh_g1"],
            household="复兴西路 5 号 201 室",
            started_on=day(1),
        )
    assert caught.value.code == Code.LINK_EXISTS


# ---- ending a contact point or a household link (history kept) -----------------------------


def test_ending_a_contact_point_keeps_its_history(point, territory):
    user = territory.users["xh_s1_staff"]
    services.contact_visit_record(actor=user, point=point, visited_on=day(4), problems=["积水"])
    for ended_on, code in ((day(3), Code.END_BEFORE_VISIT), (day(1, 1), Code.END_BEFORE_START)):
        with pytest.raises(ApplicationError) as caught:
            services.contact_point_end(actor=user, point=point, ended_on=ended_on, reason="调任")
        assert (caught.value.code, caught.value.field) == (code, "ended_on")
    with pytest.raises(ApplicationError) as caught:
        services.contact_point_end(actor=user, point=point, ended_on=day(5), reason="  ")
    assert (caught.value.code, caught.value.field) == (Code.TEXT_REQUIRED, "reason")
    ended = services.contact_point_end(actor=user, point=point, ended_on=day(5), reason="领导调任")
    assert (ended.ended_on, ended.end_reason) == (day(5), "领导调任")
    assert ended.visits.count() == 1 and ended.problems.count() == 1
    entry = AuditEntry.objects.filter(target_type="orglife.contactpoint").latest("id")
    assert entry.action == "update" and entry.changes["end_reason"] == "领导调任"
    with pytest.raises(ApplicationError) as caught:
        services.contact_point_end(actor=user, point=point, ended_on=day(6), reason="再次")
    assert caught.value.code == Code.POINT_ENDED
    with pytest.raises(ApplicationError) as caught:
        services.contact_visit_record(actor=user, point=point, visited_on=day(6))
    assert caught.value.code == Code.POINT_ENDED


def test_ending_a_point_needs_its_managers(point, territory):
    with pytest.raises(NotFound):
        services.contact_point_end(
            actor=territory.users["hp_s1_staff"], point=point, ended_on=day(5), reason="调任"
        )
    point.refresh_from_db()
    assert point.ended_on is None


def test_ending_a_household_link_keeps_history_and_allows_a_new_link(link, life, territory):
    user = territory.users["xh_c1_secretary"]
    _visit(link)
    ended = services.household_link_end(actor=user, link=link, ended_on=day(6), reason="住户搬离")
    assert (ended.ended_on, ended.end_reason) == (day(6), "住户搬离")
    assert ended.visits.count() == 1
    with pytest.raises(ApplicationError) as caught:
        _visit(link)
    assert caught.value.code == Code.LINK_ENDED and "联户关系已结束" in str(caught.value.message)
    with pytest.raises(ApplicationError) as caught:
        services.household_link_end(actor=user, link=link, ended_on=day(6), reason="再次")
    assert caught.value.code == Code.LINK_ENDED
    again = services.household_link_create(
        actor=user,
        member=link.member,
        grid=link.grid,
        household=link.household,
        started_on=day(7),
    )
    assert again.pk != link.pk
    assert AuditEntry.objects.filter(
        target_type="orglife.householdlink", target_id=str(link.pk), action="update"
    ).exists()


def test_ending_through_the_page_and_the_api(client, point, link, territory):
    import json

    from django.urls import reverse

    territory.client_for(client, "xh_s1_staff")
    response = client.post(
        f"/api/orglife/contact-points/{point.pk}/end",
        data=json.dumps({"ended_on": str(day(5)), "reason": "调任\x00"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (Code.TEXT_CONTROL, "reason")
    response = client.post(
        f"/api/orglife/contact-points/{point.pk}/end",
        data=json.dumps({"ended_on": str(day(5)), "reason": "调任"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["ended_on"], response.json()["end_reason"]) == (str(day(5)), "调任")
    page = client.get(reverse("orglife:contact_point", args=[point.pk]))
    assert "该联系点已结束" in page.content.decode() and 'name="visited_on"' not in (
        page.content.decode()
    )
    territory.client_for(client, "xh_c1_secretary")
    households = client.get(reverse("orglife:households"))
    assert reverse("orglife:act", args=["household-links", link.pk, "end"]) in (
        households.content.decode()
    )
    response = client.post(
        reverse("orglife:act", args=["household-links", link.pk, "end"]),
        {"ended_on": str(day(6)), "reason": "住户搬离", "next": reverse("orglife:households")},
        follow=True,
    )
    html = response.content.decode()
    assert "已结束的联户关系" in html and "住户搬离" in html
    listed = client.get("/api/orglife/household-links?ended=true").json()["items"]
    assert [row["id"] for row in listed] == [link.pk]
    assert client.get("/api/orglife/household-links").json()["items"] == []


def test_the_households_page_shows_links_and_visits_fifty_at_a_time(client, life, territory):
    """A street holds thousands of links, each with its forms: the page pages them, each
    list by its own parameter, the area kept in the links."""
    secretary = territory.users["xh_c1_secretary"]
    made = [
        services.household_link_create(
            actor=secretary,
            member=life.members["wang"],
            grid=territory.areas["xh_g1"],
            household=f"复兴西路 {n:02d} 号",
            started_on=day(1),
        )
        for n in range(1, 56)
    ]
    for one in made[:52]:
        _visit(one, raised=f"走访 {one.household}")
    territory.client_for(client, "xh_c1_secretary")
    area = territory.areas["xh_c1"].pk
    first = client.get(reverse("orglife:households"), {"area": area}).content.decode()
    assert "复兴西路 01 号" in first and "复兴西路 51 号" not in first.split("<h2>走访记录")[0]
    assert "第 1 / 2 页，共 55 条" in first and "第 1 / 2 页，共 52 条" in first
    assert f"?area={area}&amp;page=2" in first and f"?area={area}&amp;visit_page=2" in first
    second = client.get(reverse("orglife:households"), {"area": area, "page": 2}).content.decode()
    links = second.split("<h2>走访记录")[0]
    assert "复兴西路 51 号" in links and "复兴西路 01 号" not in links
    assert reverse("orglife:visit_new", args=[made[-1].pk]) in second

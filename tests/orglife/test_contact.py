"""Contact points and household visits: problems tracked to resolution or handed to the
appeals workflow; whatever a visit raised goes on in one step carrying the text."""

import pytest

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

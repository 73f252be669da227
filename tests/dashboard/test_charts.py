"""The charts' data, read through the registered charts (each through its app's
selectors), on hand-built cases, members, units and a project."""

import datetime

from jiceng.appeals import figures as appeal_figures
from jiceng.cobuild import services as cobuild_services
from jiceng.dashboard.charts import built, charts_for
from jiceng.members import services as member_services
from tests.members.factories import facts, id_number


def by_key(charts):
    return {c["key"]: c for c in charts}


def column(chart, name):
    """The values of one series by category: {category: value}."""
    values = next(s["values"] for s in chart["series"] if s["name"] == name)
    return dict(zip(chart["categories"], values, strict=True))


def test_months_chart_matches_the_rates_page_month_by_month(world, cases):
    t = world.t
    chart = by_key(built(t.users["xh_admin"], t.areas["xh"]))["appeals_months"]
    assert len(chart["categories"]) == 12
    assert chart["categories"][-1] == f"{cases['now']:%Y-%m}"
    received = column(chart, "受理件数")
    earlier = f"{cases['earlier']:%Y-%m}"
    assert received[earlier] == 3
    assert received[chart["categories"][-1]] == 1  # xh_c3 this month; hp_c1 is not in xh
    assert sum(received.values()) == 4
    # Each month's rates are the rates page's, in percent.
    rates = appeal_figures.rates(
        viewer=t.users["xh_admin"],
        area=t.areas["xh"],
        year=cases["earlier"].year,
        month=cases["earlier"].month,
    )
    assert column(chart, "满意率")[earlier] == round(100 * rates.rate("satisfaction"), 1) == 100.0
    assert column(chart, "响应率")[earlier] == round(100 * rates.rate("response"), 1)
    assert column(chart, "响应率")[earlier] == 33.3
    # A month with nothing rated has no satisfaction rate (not 0 %).
    assert column(chart, "满意率")[chart["categories"][0]] is None
    # Clicking a month opens that month's rates of the same node.
    index = chart["categories"].index(earlier)
    assert chart["links"][index] == f"/appeals/rates/?area={t.areas['xh'].pk}&month={earlier}"


def test_months_from_cases_equal_months_from_the_monthly_rows(world, cases):
    """A grid is counted from the cases, a community from the rollup rows: a grid that
    holds all of a community's cases gives the same months."""
    t = world.t
    months = appeal_figures.last_months(12)
    viewer = t.users["xh_s1_staff"]
    community = appeal_figures.appeal_months(viewer=viewer, area=t.areas["xh_c1"], months=months)
    grid = appeal_figures.appeal_months(viewer=viewer, area=t.areas["xh_g1"], months=months)
    assert community == grid
    assert sum(row["received"] for row in grid) == 2
    assert sum(row["satisfied"] for row in grid) == 1


def test_categories_by_volume_link_to_the_filtered_list(world, cases):
    t = world.t
    chart = by_key(built(t.users["xh_admin"], t.areas["xh"]))["appeals_categories"]
    assert chart["categories"][0] == "垃圾清运与环境卫生"
    assert column(chart, "受理件数") == {"垃圾清运与环境卫生": 3, "施工噪音": 1}
    assert chart["links"][1] == f"/appeals/?area={t.areas['xh'].pk}&category=noise-construction"


def test_open_and_overdue_by_child_and_out_of_scope(world, cases):
    from jiceng.appeals.overdue import check_deadlines

    t = world.t
    check_deadlines()  # the two open cases of three months ago are past due
    chart = by_key(built(t.users["city_admin"], t.areas["city"]))["appeals_open_by_child"]
    assert column(chart, "未办结") == {"徐汇区": 3, "黄浦区": 1}  # one of xh's is closed
    assert column(chart, "其中超时") == {"徐汇区": 2, "黄浦区": 0}
    xh = chart["categories"].index("徐汇区")
    assert chart["links"][xh] == f"/areas/{t.areas['xh'].pk}/charts/"
    # A neighbouring street's staff sees only its own street's cases, at any node.
    chart = by_key(built(t.users["hp_s1_staff"], t.areas["hp_s1"]))["appeals_open_by_child"]
    assert column(chart, "未办结") == {"贵州路社区居委会": 1}
    months = by_key(built(t.users["hp_s1_staff"], t.areas["hp_s1"]))["appeals_months"]
    assert sum(column(months, "受理件数").values()) == 1


def test_member_charts_count_and_drill_to_the_register(territory):
    actor = territory.users["xh_c1_secretary"]
    org = territory.orgs["xh_c1_b1"]
    for n, (birth, status, category) in enumerate(
        [
            (datetime.date(1995, 3, 1), "full", "in_service"),
            (datetime.date(1950, 3, 1), "full", "retired"),
            (datetime.date(2004, 3, 1), "probationary", "student"),
        ]
    ):
        member_services.member_register(
            actor=actor,
            org=org,
            facts=facts(
                name=f"党员{n}",
                birth=birth,
                id_number=id_number(birth),
                status=status,
                category=category,
                joined_on=datetime.date(birth.year + 22, 7, 1),
                full_on=None if status == "probationary" else datetime.date(birth.year + 23, 7, 1),
            ),
        )
    charts = by_key(built(territory.users["xh_admin"], territory.areas["xh"]))
    status = charts["members_status"]
    assert status["type"] == "pie"
    assert column(status, "人数") == {"预备党员": 1, "正式党员": 2}
    area = territory.areas["xh"].pk
    assert status["links"][0] == f"/members/?area={area}&status=probationary"
    assert column(charts["members_category"], "人数")["离退休"] == 1
    assert sum(column(charts["members_age"], "人数").values()) == 3
    assert column(charts["members_education"], "人数")["大学本科"] == 3
    # Nothing of Huangpu's: its admin sees no members there.
    hp = by_key(built(territory.users["hp_admin"], territory.areas["hp"]))
    assert sum(column(hp["members_status"], "人数").values()) == 0


def test_coverage_by_child_with_the_rate(territory):
    chart = by_key(built(territory.users["xh_admin"], territory.areas["xh"]))["orgs_coverage"]
    assert column(chart, "单独建立党组织") == {"湖南路街道": 1, "天平路街道": 0}
    assert column(chart, "联合党组织覆盖") == {"湖南路街道": 2, "天平路街道": 0}
    assert column(chart, "未覆盖") == {"湖南路街道": 1, "天平路街道": 2}
    assert column(chart, "覆盖率") == {"湖南路街道": 75.0, "天平路街道": 0.0}
    # A grid has no children: the grid itself, linking to its units.
    grid = by_key(built(territory.users["xh_admin"], territory.areas["xh_g2"]))["orgs_coverage"]
    assert column(grid, "联合党组织覆盖") == {"第二网格": 1}
    assert grid["links"] == [f"/orgs/units/?area={territory.areas['xh_g2'].pk}"]


def test_projects_by_stage(territory):
    from jiceng.cobuild.services import NeedFacts, ResourceFacts

    a = territory.areas
    need = cobuild_services.need_create(
        actor=None,
        facts=NeedFacts(
            title="独居老人助餐",
            category="elderly_care",
            community=a["xh_c1"],
            window_start=datetime.date(2026, 12, 1),
            window_end=datetime.date(2026, 12, 20),
        ),
    )
    resource = cobuild_services.resource_offer(
        actor=None,
        facts=ResourceFacts(
            title="企业志愿者助餐服务",
            kind="services",
            category="elderly_care",
            available_from=datetime.date(2026, 12, 1),
            available_until=datetime.date(2027, 2, 1),
            capacity=1,
            area=a["xh_c1"],
        ),
        org=territory.orgs["xh_unit_org"],
    )
    cobuild_services.project_create(actor=None, need=need, resources=[resource])
    viewer = territory.users["xh_admin"]
    chart = by_key(built(viewer, a["xh"]))["cobuild_projects"]
    assert column(chart, "已立项") == {"湖南路街道": 1, "天平路街道": 0}
    assert all(s["stack"] for s in chart["series"])
    community = by_key(built(viewer, a["xh_c1"]))["cobuild_projects"]
    assert column(community, "项目数") == {
        "已立项": 1,
        "已认领": 0,
        "实施中": 0,
        "已完成": 0,
        "已评价": 0,
    }
    assert community["links"][0] == f"/cobuild/?area={a['xh_c1'].pk}"


def test_charts_follow_what_the_role_may_see(territory):
    """A grid worker sees cases and units, not members' records nor co-building."""
    keys = {c.key for c in charts_for(territory.users["xh_g1_worker"], territory.areas["xh_g1"])}
    assert keys == {"appeals_months", "appeals_categories", "orgs_coverage"}
    keys = {c.key for c in charts_for(territory.users["xh_admin"], territory.areas["xh"])}
    assert {"members_status", "cobuild_projects", "appeals_open_by_child"} <= keys

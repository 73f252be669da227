"""The three rates and the on-time rate on a hand-built month of cases."""

import datetime

import pytest
from django.utils import timezone

from jiceng.appeals import figures, rollup, services
from jiceng.appeals.models import Appeal
from jiceng.appeals.overdue import check_deadlines
from jiceng.core.workdays import LOCAL

NOW = datetime.datetime(2026, 11, 22, 12, tzinfo=LOCAL)


def _file_in_october(world, area_key="xh_g1", day=10):
    case = world.intake(area_key=area_key, text=f"第{day}号垃圾问题{area_key}")
    received = datetime.datetime(2026, 10, day, 9, tzinfo=LOCAL)
    response_due, resolution_due = services.deadlines(case.category, received)
    Appeal.objects.filter(pk=case.pk).update(
        received_at=received, response_due_at=response_due, resolution_due_at=resolution_due
    )
    case.refresh_from_db()
    return case


def _set(case, **fields):
    Appeal.objects.filter(pk=case.pk).update(**fields)


@pytest.fixture
def october(world):
    """Five cases in xh_c1, two in xh_c2, one in hp (out of the district)."""
    c = [_file_in_october(world, day=d) for d in (5, 6, 7, 8, 9)]
    late = datetime.timedelta(days=30)
    # c0: responded on time, replied on time, rated resolved & satisfied.
    _set(
        c[0],
        responded_at=c[0].received_at + datetime.timedelta(hours=1),
        replied_at=c[0].received_at + datetime.timedelta(days=1),
        rated_at=c[0].received_at + datetime.timedelta(days=2),
        resolved=True,
        satisfaction="satisfied",
        state="closed",
    )
    # c1: responded late, replied late, rated unresolved & basically satisfied.
    _set(
        c[1],
        responded_at=c[1].response_due_at + datetime.timedelta(hours=1),
        replied_at=c[1].resolution_due_at + datetime.timedelta(hours=1),
        rated_at=c[1].resolution_due_at + late,
        resolved=False,
        satisfaction="basically",
        state="closed",
    )
    # c2: responded on time, replied on time, rated unresolved & unsatisfied.
    _set(
        c[2],
        responded_at=c[2].received_at,
        replied_at=c[2].received_at + datetime.timedelta(hours=5),
        rated_at=c[2].received_at + datetime.timedelta(days=1),
        resolved=False,
        satisfaction="unsatisfied",
        state="rated",
    )
    # c3: responded on time, still in progress, past its deadline.
    _set(c[3], responded_at=c[3].received_at, state="in_progress")
    # c4: never responded, past everything.
    s2 = [_file_in_october(world, area_key="xh_c2", day=d) for d in (12, 13)]
    _set(
        s2[0],
        responded_at=s2[0].received_at,
        replied_at=s2[0].received_at,
        rated_at=s2[0].received_at,
        resolved=True,
        satisfaction="satisfied",
    )
    _file_in_october(world, area_key="hp_c1", day=14)
    # The deadline check marks what is past due; the hand edits above bypassed the
    # services, so the monthly rows are rebuilt from the cases.
    check_deadlines(now=NOW)
    rollup.rebuild()
    return c, s2


def test_rates_for_a_community_month(world, october):
    viewer = world.t.users["xh_admin"]
    rates = figures.rates(viewer=viewer, area=world.t.areas["xh_c1"], year=2026, month=10)
    assert rates.received == 5
    assert rates.counts["response"] == (3, 5)  # c0, c2, c3 on time
    assert rates.counts["resolution"] == (1, 3)  # of the three rated, c0 resolved
    assert rates.counts["satisfaction"] == (2, 3)  # satisfied + basically satisfied
    # c0 and c2 replied in time; c1 replied late; c3 and c4 are past due unanswered.
    assert rates.counts["on_time"] == (2, 5)
    assert rates.rate("satisfaction") == pytest.approx(2 / 3)


def test_ranking_of_a_districts_streets_and_drill_down(world, october):
    viewer = world.t.users["xh_admin"]
    rows = figures.ranking(viewer=viewer, parent=world.t.areas["xh"], year=2026, month=10)
    assert [r.area.name for r in rows] == ["湖南路街道", "天平路街道"]
    assert rows[0].rates.received == 7 and rows[1].rates.received == 0
    communities = figures.ranking(viewer=viewer, parent=world.t.areas["xh_s1"], year=2026, month=10)
    by_name = {r.area.name: r.rates for r in communities}
    assert by_name["武康路社区居委会"].counts["satisfaction"] == (1, 1)
    assert by_name["复兴西路社区居委会"].counts["satisfaction"] == (2, 3)
    assert communities[0].area.name == "武康路社区居委会"
    c, _s2 = october
    missed = figures.rate_cases(
        viewer=viewer,
        area=world.t.areas["xh_c1"],
        year=2026,
        month=10,
        rate="response",
        part="missed",
    )
    assert {a.pk for a in missed} == {c[1].pk, c[4].pk}


def test_rates_never_leak_out_of_scope(world, october):
    viewer = world.t.users["hp_s1_staff"]
    rates = figures.rates(viewer=viewer, area=world.t.areas["city"], year=2026, month=10)
    assert rates.received == 1


def test_empty_month_has_no_rates(world):
    viewer = world.t.users["xh_admin"]
    rates = figures.rates(viewer=viewer, area=world.t.areas["xh"], year=2026, month=1)
    assert rates.received == 0 and rates.rate("response") is None
    assert timezone.now()


def test_monthly_rows_agree_with_the_cases(world, october):
    """Counted from the rows (the district admin sees the whole node) and from the cases
    (a grid is below the rows' level), the numbers are the same."""
    viewer = world.t.users["xh_admin"]
    from_rows = figures.rates(viewer=viewer, area=world.t.areas["xh_c1"], year=2026, month=10)
    start, end = figures.month_bounds(2026, 10)
    raw = figures._cases_under(viewer, world.t.areas["xh_c1"], start, end).aggregate(
        **figures._raw_aggregates()
    )
    assert from_rows == figures.Rates.from_counters(raw)


def test_services_keep_the_rows_equal_to_a_rebuild(world):
    """Every change made through the services moves the counters exactly as a rebuild
    from the cases would count them."""
    from jiceng.appeals.models import AppealMonthStat

    users = world.t.users
    handler = users["xh_c1_secretary"]
    texts = ["楼道堆物", "路灯不亮", "井盖松动", "绿化带枯死", "外墙渗水"]
    cases = [world.intake(text=text) for text in texts]
    assert all(c.state == Appeal.State.DISPATCHED for c in cases)
    services.appeal_accept(actor=handler, appeal=cases[0])
    services.appeal_reply(actor=handler, appeal=cases[0], reply="已办")
    services.appeal_rate(appeal=cases[0], resolved=True, satisfaction="satisfied")
    services.appeal_accept(actor=handler, appeal=cases[1])
    services.appeal_reply(actor=handler, appeal=cases[1], reply="已办")
    services.appeal_rate(appeal=cases[1], resolved=False, satisfaction="unsatisfied")
    services.appeal_reopen(actor=None, appeal=cases[1], reason="没办好")
    services.appeal_return(actor=handler, appeal=cases[2], reason="不归我们")
    Appeal.objects.filter(pk=cases[3].pk).update(
        resolution_due_at=timezone.now() - datetime.timedelta(hours=1),
        response_due_at=timezone.now() - datetime.timedelta(hours=2),
    )
    check_deadlines()

    def snapshot():
        fields = ("community_id", "month", *rollup.COUNTERS)
        return sorted(AppealMonthStat.objects.values_list(*fields))

    incremental = snapshot()
    rollup.rebuild()
    assert snapshot() == incremental
    assert incremental[0][2] == 5  # received


def test_outcomes_equal_the_rates_pages(world, october):
    """The figures assessment and reports read are the rates page's, for a community,
    a street and a district, and counted from the cases for a grid."""
    from jiceng.core.outcomes import Period, outcome

    viewer = world.t.users["xh_admin"]
    october_2026 = Period.month(2026, 10)
    for key in ("xh_c1", "xh_s1", "xh"):
        area = world.t.areas[key]
        rates = figures.rates(viewer=viewer, area=area, year=2026, month=10)
        for name in ("response", "resolution", "satisfaction", "on_time"):
            figure = outcome(f"appeals.{name}_rate").measure(area, october_2026)
            assert (figure.numerator, figure.denominator) == rates.counts[name], (key, name)
            assert "rate_cases" in figure.url or figure.url.startswith("/")
    grid = world.t.areas["xh_g1"]
    figure = outcome("appeals.response_rate").measure(grid, Period.year(2026))
    assert (figure.numerator, figure.denominator) == (3, 5)
    assert outcome("appeals.satisfaction_rate").measure(grid, Period.year(2025)).value is None

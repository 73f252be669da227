"""The dashboard indicators orglife registers in ready(): counted through the scoped
selectors, so a community secretary's numbers cover their community only."""

import datetime

from jiceng.core.scope import scope_for
from jiceng.dashboard.registry import indicators_for
from jiceng.orglife import services

from .conftest import day


def _by_key(user):
    return {i.key: i for i in indicators_for(scope_for(user))}


def test_orglife_indicators_count_what_the_viewer_sees(life, territory):
    staff = territory.users["xh_s1_staff"]
    indicators = _by_key(staff)
    for key in (
        "orglife_orgs_behind",
        "orglife_topics_awaiting_disclosure",
        "orglife_open_problems",
    ):
        assert key in indicators
    assert "orglife_orgs_behind" not in _by_key(territory.users["xh_g1_worker"])
    street = territory.areas["xh_s1"]
    # The street's three branches, its general branch and its party group are all behind
    # this year (nothing was held) once a month of the year is over.
    expected = 5 if datetime.date.today().month > 1 else 0
    assert indicators["orglife_orgs_behind"].total(staff, street) == expected
    topic = services.topic_create(
        actor=None,
        community=territory.areas["xh_c1"],
        org=territory.orgs["xh_c1_gb"],
        title="加装电梯",
    )
    vote = {"eligible": 10, "attended": 8, "votes_for": 8, "votes_against": 0, "votes_abstain": 0}
    for n, (kind, extra) in enumerate(
        [
            ("propose", {}),
            ("discuss", {}),
            ("review", vote),
            ("decide", {**vote, "assembly": "residents"}),
        ],
        start=1,
    ):
        services.step_record(
            actor=None, topic=topic, kind=kind, facts=services.StepFacts(held_on=day(2, n), **extra)
        )
    assert indicators["orglife_topics_awaiting_disclosure"].total(staff, street) == 1
    secretary = territory.users["xh_c3_secretary"]
    assert (
        indicators["orglife_topics_awaiting_disclosure"].total(secretary, territory.areas["xh_c3"])
        == 0
    )
    point = services.contact_point_create(
        actor=None,
        official_name="刘",
        official_area=street,
        org=territory.orgs["xh_c1_gb"],
        started_on=day(1),
    )
    services.contact_visit_record(
        actor=None, point=point, visited_on=day(2), problems=["路灯", "漏雨"]
    )
    assert indicators["orglife_open_problems"].total(staff, street) == 2

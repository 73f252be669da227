"""Star ratings by configured criteria, with evidence and the district's confirmation;
inspections into the rectification list; talks and their follow-up."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.assessment.models import Problem, Rectification
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.supervision import selectors, services
from jiceng.supervision.errors import SupervisionErrorCode as Code
from jiceng.supervision.models import Inspection, StarCriterion, StarRating, Talk
from tests.supervision.conftest import at, cases, counted

TODAY = datetime.date.today()


def test_stars_count_the_criteria_met_with_their_evidence(t):
    year = TODAY.year
    cases(t, "xh_c1", 9, satisfied=True, received=at(1, 10, year))
    cases(t, "xh_c1", 1, satisfied=False, received=at(1, 10, year))
    counted()
    StarCriterion.objects.all().delete()
    services.star_criterion_save(
        actor=t.users["xh_admin"],
        criterion=None,
        name="满意率不低于90%",
        outcome_key="appeals.satisfaction_rate",
        threshold=Decimal("0.9"),
    )
    services.star_criterion_save(
        actor=t.users["xh_admin"],
        criterion=None,
        name="满意率不低于95%",
        outcome_key="appeals.satisfaction_rate",
        threshold=Decimal("0.95"),
    )
    services.star_criterion_save(
        actor=t.users["xh_admin"],
        criterion=None,
        name="无纠纷集中",
        rule_code="disputes_concentrated",
    )
    rated = services.star_compute(actor=t.users["xh_admin"], district=t.areas["xh"], year=year)
    assert rated == 1
    rating = StarRating.objects.get(org=t.orgs["xh_c1_gb"], year=year)
    # 90 % meets 90 %, misses 95 %; no disputes: two stars.
    assert rating.stars == 2
    assert [e["met"] for e in rating.evidence] == [True, False, True]
    assert rating.evidence[0]["value"] == "90.0%"
    # The community sees it only once the district confirms it.
    secretary = t.users["xh_c1_secretary"]
    assert list(selectors.rating_list(viewer=secretary)) == []
    with pytest.raises(PermissionDenied):
        services.star_confirm(actor=t.users["xh_s1_staff"], rating=rating)
    services.star_confirm(actor=t.users["xh_admin"], rating=rating)
    assert list(selectors.rating_list(viewer=secretary)) == [rating]
    with pytest.raises(Conflict):
        services.star_confirm(actor=t.users["xh_admin"], rating=rating)
    # A confirmed rating is not recomputed.
    cases(t, "xh_c1", 5, satisfied=False, received=at(1, 11, year))
    counted()
    services.star_compute(actor=None, district=t.areas["xh"], year=year)
    assert StarRating.objects.get(pk=rating.pk).stars == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome_key": "appeals.satisfaction_rate"}, "outcome_key"),  # no threshold
        ({"outcome_key": "no.such", "threshold": Decimal(1)}, "outcome_key"),
        ({"rule_code": "no_such_rule"}, "rule_code"),
        ({}, "outcome_key"),  # neither
    ],
)
def test_a_criterion_is_an_outcome_with_a_threshold_or_a_rule(t, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        services.star_criterion_save(
            actor=t.users["xh_admin"], criterion=None, name="标准", **fields
        )
    assert refused.value.code == Code.BAD_CRITERION and refused.value.field == field


def test_an_inspection_planned_then_recorded_raises_rectification_items(t):
    org = t.orgs["xh_c1_gb"]
    inspection = services.inspection_plan(
        actor=t.users["xh_s1_staff"], org=org, inspectors="街道组织办 张三、李四",
        planned_on=TODAY, focus="三会一课台账",
    )  # fmt: skip
    recorded = services.inspection_record(
        actor=t.users["xh_s1_staff"],
        inspection=inspection,
        held_on=TODAY,
        findings="会议记录不全，党课未按季度开展",
        problems=["党课未按季度开展", "  ", "会议记录缺签到"],
    )
    assert recorded.state == Inspection.State.RECORDED
    assert recorded.problems == ["党课未按季度开展", "会议记录缺签到"]
    problems = Problem.objects.filter(org=org, source="inspection")
    assert problems.count() == 2
    assert Rectification.objects.filter(problem__in=problems).count() == 2
    with pytest.raises(Conflict):
        services.inspection_record(
            actor=t.users["xh_s1_staff"], inspection=recorded, held_on=TODAY,
            findings="再次", problems=[],
        )  # fmt: skip


def test_a_community_does_not_inspect_itself_and_others_do_not_see(t):
    org = t.orgs["xh_c1_gb"]
    with pytest.raises(PermissionDenied):
        services.inspection_plan(
            actor=t.users["xh_c1_secretary"], org=org, inspectors="自查", planned_on=TODAY
        )
    with pytest.raises(NotFound):
        services.inspection_plan(
            actor=t.users["hp_admin"], org=org, inspectors="黄浦", planned_on=TODAY
        )


def test_a_talk_and_its_follow_up(t):
    org = t.orgs["xh_c1_gb"]
    with pytest.raises(ValidationFailed) as early:
        services.talk_record(
            actor=t.users["xh_s1_staff"], org=org, held_on=TODAY, talker="王书记",
            talked_to="李书记", reason="满意率偏低", commitments="",
            follow_up_on=TODAY - datetime.timedelta(days=1),
        )  # fmt: skip
    assert early.value.code == Code.FOLLOW_UP_BEFORE_TALK
    # Tomorrow as the service reckons it (Shanghai), not as of the module's import: a
    # suite that runs past midnight would otherwise hold a talk "tomorrow" that is today.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationFailed) as future:
        services.talk_record(
            actor=t.users["xh_s1_staff"], org=org, held_on=tomorrow,
            talker="王书记", talked_to="李书记", reason="满意率偏低", commitments="",
            follow_up_on=tomorrow + datetime.timedelta(days=30),
        )  # fmt: skip
    assert future.value.field == "held_on"
    talk = services.talk_record(
        actor=t.users["xh_s1_staff"], org=org, held_on=TODAY, talker="王书记",
        talked_to="李书记", reason="满意率偏低", commitments="一个月内逐户回访",
        follow_up_on=TODAY + datetime.timedelta(days=30),
    )  # fmt: skip
    assert list(selectors.talk_list(viewer=t.users["xh_s1_staff"], awaiting=True)) == [talk]
    talk = services.talk_follow_up(actor=t.users["xh_admin"], talk=talk, result="已逐户回访")
    assert talk.followed_up_at is not None
    with pytest.raises(Conflict):
        services.talk_follow_up(actor=t.users["xh_admin"], talk=talk, result="再次")
    assert Talk.objects.get(pk=talk.pk).follow_up_result == "已逐户回访"


def test_the_org_file_shows_supervision(t, client):
    org = t.orgs["xh_c1_gb"]
    services.talk_record(
        actor=None, org=org, held_on=TODAY, talker="王书记", talked_to="李书记",
        reason="满意率偏低", commitments="", follow_up_on=TODAY,
    )  # fmt: skip
    client.force_login(t.users["xh_s1_staff"])
    page = client.get(f"/orgs/{org.pk}/").content.decode()
    assert "动态管理与督促检查" in page and "满意率偏低" in page
    client.force_login(t.users["xh_unit_secretary"])  # sees orgs, not supervision
    assert "满意率偏低" not in client.get(f"/orgs/{t.orgs['xh_unit_org'].pk}/").content.decode()

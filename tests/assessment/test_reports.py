"""述职 and 评议: drafted from the year's data (figures, tasks done and not done), edited
only as a draft, reviewed once by each named reviewer and by nobody else, concluded only
when every review is in; an upper-level task on the list."""

import datetime

import pytest

from jiceng.accounts.services import role_grant, user_create
from jiceng.assessment import services
from jiceng.assessment.errors import (
    MSG_REVIEW_GIVEN,
    MSG_REVIEWS_MISSING,
    MSG_TASK_DONE,
)
from jiceng.assessment.models import Assessment, Report
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


@pytest.fixture
def community(territory, opened):
    return Assessment.objects.get(scheme=opened, org=territory.orgs["xh_c1_gb"])


def _member(territory, name):
    user = user_create(
        actor=None, username=name, password="x", full_name=name, check_password=False
    )
    role_grant(actor=None, user=user, role="member", org=territory.orgs["xh_c1_b1"])
    return user


def test_the_draft_comes_from_the_data(territory, community):
    secretary, street = territory.users["xh_c1_secretary"], territory.users["xh_s1_staff"]
    upper = services.task_set(
        actor=street,
        assessment=community,
        task="建设红色物业",
        measure="联席会议",
        deadline=datetime.date(2026, 11, 30),
    )
    with pytest.raises(PermissionDenied):
        services.task_set(
            actor=secretary,
            assessment=community,
            task="x",
            measure="",
            deadline=datetime.date(2026, 11, 30),
        )
    services.task_done(actor=secretary, task=upper, note="已建成")
    with pytest.raises(Conflict) as refused:
        services.task_done(actor=secretary, task=upper, note="again")
    assert refused.value.message == MSG_TASK_DONE
    report = services.report_draft(actor=secretary, report=community.report)
    text = report.text
    assert "复兴西路社区党总支" in text
    assert "测试比率：70.0%（7/10）" in text
    assert "测试计数：1" in text
    assert "已完成 1 项，未完成 2 项" in text
    assert "[已完成] 建设红色物业：已建成" in text


def test_only_a_draft_is_edited_and_submitted(territory, community):
    secretary = territory.users["xh_c1_secretary"]
    report = services.report_draft(actor=secretary, report=community.report)
    with pytest.raises(ValidationFailed) as refused:
        services.report_edit(actor=secretary, report=report, body="a\x00b")
    assert refused.value.field == "text"
    with pytest.raises(ValidationFailed):
        services.report_edit(actor=secretary, report=report, body="字" * 10001)
    services.report_edit(actor=secretary, report=report, body="我的述职")
    services.report_submit(actor=secretary, report=report)
    for attempt in (
        lambda: services.report_edit(actor=secretary, report=report, body="改"),
        lambda: services.report_draft(actor=secretary, report=report),
        lambda: services.report_submit(actor=secretary, report=report),
    ):
        with pytest.raises(Conflict):
            attempt()
    assert Report.objects.get(pk=report.pk).text == "我的述职"
    # Another community's secretary does not even see it.
    with pytest.raises(NotFound):
        services.report_edit(actor=territory.users["xh_c3_secretary"], report=report, body="x")


def test_reviews_once_each_by_the_named_only_then_concluded(territory, community):
    street = territory.users["xh_s1_staff"]
    report = community.report
    services.report_draft(actor=None, report=report)
    first, second = _member(territory, "rep_a"), _member(territory, "rep_b")
    row_a = services.reviewer_add(
        actor=street, report=report, account=first, capacity="representative"
    )
    row_b = services.reviewer_add(
        actor=street, report=report, account=second, capacity="upper_committee"
    )
    with pytest.raises(Conflict):
        services.reviewer_add(actor=street, report=report, account=first, capacity="representative")
    # No review before the report is submitted.
    with pytest.raises(Conflict):
        services.review_give(actor=first, reviewer=row_a, grade="good")
    services.report_submit(actor=None, report=report)
    with pytest.raises((PermissionDenied, NotFound)):
        services.review_give(actor=second, reviewer=row_a, grade="poor")
    with pytest.raises(ValidationFailed):
        services.review_give(actor=first, reviewer=row_a, grade="excellent")
    services.review_give(actor=first, reviewer=row_a, grade="good", comment="好")
    with pytest.raises(Conflict) as refused:
        services.review_give(actor=first, reviewer=row_a, grade="fair")
    assert refused.value.message == MSG_REVIEW_GIVEN
    with pytest.raises(Conflict) as refused:
        services.report_conclude(actor=street, report=report)
    assert str(refused.value.message) == str(MSG_REVIEWS_MISSING).format(missing=1)
    services.review_give(actor=second, reviewer=row_b, grade="fair")
    with pytest.raises(PermissionDenied):
        services.report_conclude(actor=territory.users["xh_c1_secretary"], report=report)
    services.report_conclude(actor=street, report=report, problems=["问题一", ""])
    community.refresh_from_db()
    assert (community.review_score, community.grade) == (80, "fairly_good")
    assert community.problems.count() == 1

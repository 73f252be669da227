"""Outcome formulas checked by hand on the shared territory, and the batch review path
scoring as the services do."""

import datetime

import pytest
from django.utils import timezone

from jiceng.assessment import services
from jiceng.assessment.bulk import review_many
from jiceng.assessment.models import Assessment, Rectification
from jiceng.core.outcomes import Period, outcome
from tests.assessment.test_rectification import photo


def test_unit_coverage_and_orgs_formed_by_hand(territory):
    year = Period.year(timezone.localdate().year)
    a = territory.areas
    coverage = outcome("orgs.unit_coverage")
    # 复兴西路: its own-org unit and the two covered by the joint branch.
    assert (
        coverage.measure(a["xh_c1"], year).numerator,
        coverage.measure(a["xh_c1"], year).denominator,
    ) == (3, 3)
    # 湖南路街道 adds 武康路's uncovered design office.
    figure = coverage.measure(a["xh_s1"], year)
    assert (figure.numerator, figure.denominator) == (3, 4)
    formed = outcome("orgs.own_org_formed").measure(a["xh_s1"], year)
    # 8 members (own org) and 4 members (none) reach the threshold of 3.
    assert (formed.numerator, formed.denominator) == (1, 2)
    # An org answers for its area's units.
    assert coverage.measure(territory.orgs["xh_c1_gb"], year).value == 1.0


def test_rectification_closed_on_time_by_hand(territory):
    street, secretary = territory.users["xh_s1_staff"], territory.users["xh_c1_secretary"]
    today = timezone.localdate()
    org = territory.orgs["xh_c1_gb"]
    items = []
    for days in (-5, -3, 10):
        problem = services.problem_raise(
            actor=street, org=org, source="other", text="问题", year=today.year
        )
        items.append(
            services.rectification_create(
                actor=street,
                problem=problem,
                owner="张",
                measures="措施",
                deadline=today + datetime.timedelta(days=days),
            )
        )
    # The item due in ten days closes today: on time. Of the two past due, neither closed.
    services.rectification_attach(actor=secretary, item=items[2], upload=photo())
    services.rectification_submit(actor=secretary, item=items[2], note="完成")
    services.rectification_confirm(actor=street, item=items[2])
    period = Period(datetime.date(today.year - 1, 1, 1), today + datetime.timedelta(days=30), "x")
    figure = outcome("assessment.rectification_on_time").measure(org, period)
    assert (figure.numerator, figure.denominator) == (1, 3)
    assert Rectification.objects.filter(state="closed").count() == 1


def test_the_batch_review_scores_as_the_services_do(territory, opened):
    services.scheme_score(actor=None, scheme=opened)
    reports = [a.report for a in Assessment.objects.filter(scheme=opened).order_by("org_id")]
    assert (
        review_many(
            actor=None,
            reports=reports,
            reviewer=territory.users["xh_admin"],
            grades=["good", "fair"],
        )
        == 4
    )
    community = Assessment.objects.get(scheme=opened, org=territory.orgs["xh_c1_gb"])
    # Items 24 (see test_schemes); one reviewer's grade gives the review part.
    assert community.item_score == 24
    assert float(community.score) == pytest.approx(24 * 0.7 + float(community.review_score) * 0.3)
    assert community.report.state == "reviewed"
    services.scheme_publish(actor=territory.users["xh_admin"], scheme=opened)

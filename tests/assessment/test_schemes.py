"""Schemes: validated, versioned while a draft, frozen once the year's assessment opens;
the assessed orgs by group; scoring on a hand-built scheme with hand-computed numbers."""

import dataclasses
from decimal import Decimal

import pytest

from jiceng.assessment import scoring, services
from jiceng.assessment.errors import MSG_FROZEN, MSG_NOT_SCORED
from jiceng.assessment.models import Assessment, Report, Scheme, TaskItem
from jiceng.assessment.services import ItemSpec
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from tests.assessment.conftest import FACTS


def test_an_edit_before_opening_makes_a_new_version(territory, scheme):
    facts = dataclasses.replace(FACTS, review_weight=40)
    new = services.scheme_update(actor=territory.users["xh_admin"], scheme=scheme, facts=facts)
    scheme.refresh_from_db()
    assert (scheme.state, new.version, new.review_weight) == ("superseded", 2, 40)
    assert new.items.count() == 2 and scheme.items.count() == 2


def test_opening_freezes_the_scheme(territory, opened):
    with pytest.raises(Conflict) as refused:
        services.scheme_update(actor=territory.users["xh_admin"], scheme=opened, facts=FACTS)
    assert refused.value.message == MSG_FROZEN
    with pytest.raises(Conflict):
        services.scheme_open(actor=territory.users["xh_admin"], scheme=opened)
    assert Scheme.objects.get(pk=opened.pk).items.count() == 2


def test_opening_assesses_each_group_and_sets_task_lists(territory, opened):
    o = territory.orgs
    groups = dict(Assessment.objects.filter(scheme=opened).values_list("org_id", "group"))
    assert groups == {
        o["xh_s1_wc"].pk: "street",
        o["xh_c1_gb"].pk: "community",
        o["xh_joint"].pk: "unit",
        o["xh_unit_org"].pk: "unit",
    }
    assert Report.objects.filter(assessment__scheme=opened, state="draft").count() == 4
    assert TaskItem.objects.filter(assessment__scheme=opened, source="scheme").count() == 8


@pytest.mark.parametrize(
    "change,field",
    [
        ({"items": [ItemSpec("test.rate", 50, "linear", floor=0.5, target=1)]}, "items"),
        (
            {"items": [ItemSpec("nothing.here", 100, "linear", floor=0, target=1)]},
            "items.0.outcome_key",
        ),
        ({"items": [ItemSpec("test.rate", 100, "linear", floor=1, target=1)]}, "items.0.target"),
        (
            {"items": [ItemSpec("test.rate", 100, "thresholds", thresholds=[[1, 2]])]},
            "items.0.thresholds",
        ),
        ({"review_weight": 101}, "review_weight"),
        ({"groups": []}, "groups"),
        ({"groups": ["street", "nobody"]}, "groups"),
        ({"name": "x" * 121}, "name"),
        ({"name": "a\x00b"}, "name"),
    ],
)
def test_bad_schemes_refused_naming_the_field(territory, known_outcomes, change, field):
    facts = dataclasses.replace(FACTS, **change)
    with pytest.raises(ValidationFailed) as refused:
        services.scheme_create(
            actor=territory.users["xh_admin"],
            district=territory.areas["xh"],
            year=2026,
            facts=facts,
        )
    assert refused.value.field == field
    assert not Scheme.objects.exists()


def test_only_the_district_defines_schemes(territory, known_outcomes):
    # Lower levels and other districts do not even see the district as a place to act on.
    for user, error in (("xh_s1_staff", NotFound), ("hp_admin", NotFound)):
        with pytest.raises(error):
            services.scheme_create(
                actor=territory.users[user],
                district=territory.areas["xh"],
                year=2026,
                facts=FACTS,
            )


def test_rules_by_hand():
    assert scoring.share("linear", 0.9, floor=0.5, target=1.0) == pytest.approx(0.8)
    assert scoring.share("linear", 0.4, floor=0.5, target=1.0) == 0
    assert scoring.share("linear", 1.2, floor=0.5, target=1.0) == 1
    # Lower is better when the target is below the floor.
    assert scoring.share("linear", 2, floor=10, target=0) == pytest.approx(0.8)
    steps = [[2, 0.5], [4, 1.0]]
    assert scoring.share("thresholds", 3, thresholds=steps) == 0.5
    assert scoring.share("thresholds", 1, thresholds=steps) == 0
    assert scoring.share("thresholds", 1, thresholds=steps, higher=False) == 1.0
    assert scoring.share("linear", None, floor=0.5, target=1.0) == 1
    assert scoring.review_mean(["good", "fairly_good", "fair"]) == Decimal("80.00")
    assert scoring.grade_for(Decimal("80.00")) == "fairly_good"
    assert scoring.total(Decimal("68.00"), Decimal("80.00"), 30) == Decimal("71.60")


def _review(territory, assessment, grades, upper=None):
    """Submit the report, have reviewers grade it, conclude (as `upper`: by default the
    first street's staff for an org under it, the system for a street)."""
    from jiceng.accounts.services import role_grant, user_create

    street = upper or (territory.users["xh_s1_staff"] if assessment.group != "street" else None)
    report = assessment.report
    services.report_draft(actor=None, report=report)
    services.report_submit(actor=None, report=report)
    for i, grade in enumerate(grades):
        user = user_create(
            actor=None,
            username=f"r{assessment.pk}_{i}",
            password="x",
            full_name="评议人",
            check_password=False,
        )
        # A members' representative: a party member (the member role sees its own rows).
        role_grant(actor=None, user=user, role="member", org=territory.orgs["xh_c1_b1"])
        services.reviewer_add(actor=street, report=report, account=user, capacity="representative")
        row = report.reviewers.get(account=user)
        services.review_give(actor=user, reviewer=row, grade=grade, comment="好")
    services.report_conclude(actor=street, report=report)
    assessment.refresh_from_db()
    return assessment


def test_scoring_a_hand_built_scheme(territory, opened):
    """复兴西路社区党总支: rate 7/10 → (0.7-0.5)/0.5 = 0.4 × 60 = 24; count 1 → 0 of 40;
    items 24. Reviews 好, 较好, 较好 → (100+80+80)/3 = 86.67 → 较好.
    Total 24 × 0.7 + 86.67 × 0.3 = 16.80 + 26.00 = 42.80.
    湖南路街道党工委: 9/10 → 0.8 × 60 = 48; count 3 → 0.5 × 40 = 20; items 68; reviews 好 好
    → 100 → 好; total 68 × 0.7 + 30 = 77.60."""
    o = territory.orgs
    community = Assessment.objects.get(scheme=opened, org=o["xh_c1_gb"])
    community = _review(territory, community, ["good", "fairly_good", "fairly_good"])
    assert community.item_score == Decimal("24.00")
    assert community.review_score == Decimal("86.67")
    assert community.grade == "fairly_good"
    assert community.score == Decimal("42.80")
    assert community.figures[0]["url"] == f"/drill/{o['xh_c1_gb'].pk}"
    assert community.figures[0]["numerator"] == 7
    street = _review(
        territory, Assessment.objects.get(scheme=opened, org=o["xh_s1_wc"]), ["good", "good"]
    )
    assert (street.item_score, street.score, street.grade) == (
        Decimal("68.00"),
        Decimal("77.60"),
        "good",
    )


def test_publication_needs_every_assessment_scored_then_ranks(territory, opened):
    admin = territory.users["xh_admin"]
    with pytest.raises(Conflict) as refused:
        services.scheme_publish(actor=admin, scheme=opened)
    assert refused.value.message == MSG_NOT_SCORED
    grades = {
        "xh_s1_wc": ["good"],
        "xh_c1_gb": ["fair"],
        "xh_joint": ["good"],
        "xh_unit_org": ["good"],
    }
    for key, given in grades.items():
        _review(territory, Assessment.objects.get(scheme=opened, org=territory.orgs[key]), given)
    services.scheme_publish(actor=admin, scheme=opened)
    rows = {a.org_id: a for a in Assessment.objects.filter(scheme=opened)}
    o = territory.orgs
    # Units: joint 1/2 → 0 items, 100 review → 30.00; unit org: no rate → 60, count 5
    # → 40: 100 items → 100.00.
    assert rows[o["xh_unit_org"].pk].score == Decimal("100.00")
    assert rows[o["xh_joint"].pk].score == Decimal("30.00")
    assert (rows[o["xh_unit_org"].pk].rank, rows[o["xh_joint"].pk].rank) == (1, 2)
    assert rows[o["xh_c1_gb"].pk].rank == 1
    assert set(
        Report.objects.filter(assessment__scheme=opened).values_list("state", flat=True)
    ) == {"published"}
    with pytest.raises(Conflict):
        services.scheme_publish(actor=admin, scheme=opened)

"""The weak-org lifecycle: evaluation files candidates, the district decides, a plan,
a review that re-evaluates the rules; refusals, scope, events and audit rows."""

import datetime

import pytest

from jiceng.assessment.models import Problem, Rectification
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.orgs import services as org_services
from jiceng.orgs.models import PartyOrg
from jiceng.supervision import actions, selectors, services
from jiceng.supervision.errors import SupervisionErrorCode as Code
from jiceng.supervision.models import WeakOrgCase, WeakOrgRule

S = WeakOrgCase.State
TODAY = datetime.date.today()


@pytest.fixture
def flagged(t):
    """贵州路社区党支部 (黄浦) without a secretary for years: a candidate this year. Only
    the secretary rule runs, so electing a secretary is what the review sees."""
    services.ensure_rules()
    WeakOrgRule.objects.exclude(code="secretary_vacant").update(enabled=False)
    PartyOrg.objects.filter(pk=t.orgs["hp_c1_b"].pk).update(
        secretary_name="", established_on=datetime.date(2010, 1, 1)
    )
    result = services.weak_org_evaluate(
        actor=t.users["hp_admin"], district=t.areas["hp"], year=TODAY.year
    )
    assert result["created"] == 1
    return WeakOrgCase.objects.get(org=t.orgs["hp_c1_b"])


def test_evaluation_files_a_candidate_once_with_its_evidence(t, flagged):
    assert flagged.state == S.CANDIDATE
    assert flagged.hits[0]["rule"] == "secretary_vacant"
    assert flagged.events.get().action == "flag"
    assert AuditEntry.objects.filter(target_type="supervision.weakorgcase").exists()
    again = services.weak_org_evaluate(actor=None, district=t.areas["hp"], year=TODAY.year)
    assert again["created"] == 0
    assert WeakOrgCase.objects.count() == 1


def test_only_the_district_evaluates(t):
    with pytest.raises(NotFound):  # the district is above the street's sight
        services.weak_org_evaluate(
            actor=t.users["hp_s1_staff"], district=t.areas["hp"], year=TODAY.year
        )
    with pytest.raises(NotFound):
        services.weak_org_evaluate(
            actor=t.users["xh_admin"], district=t.areas["hp"], year=TODAY.year
        )
    with pytest.raises(ValidationFailed) as refused:
        services.weak_org_evaluate(
            actor=t.users["hp_admin"], district=t.areas["hp"], year=TODAY.year + 1
        )
    assert refused.value.code == Code.BAD_YEAR


def test_the_district_decides_with_a_reason(t, flagged):
    with pytest.raises(PermissionDenied):  # the street sees it but does not decide
        services.weak_org_decide(
            actor=t.users["hp_s1_staff"], case=flagged, action="confirm", reason="书记空缺"
        )
    with pytest.raises(ValidationFailed) as refused:
        services.weak_org_decide(
            actor=t.users["hp_admin"], case=flagged, action="confirm", reason="  "
        )
    assert refused.value.code == Code.REASON_REQUIRED and refused.value.field == "reason"
    case = services.weak_org_decide(
        actor=t.users["hp_admin"], case=flagged, action="confirm", reason="书记长期空缺"
    )
    assert case.state == S.CONFIRMED and case.decision_reason == "书记长期空缺"
    with pytest.raises(Conflict) as illegal:
        services.weak_org_decide(
            actor=t.users["hp_admin"], case=case, action="dismiss", reason="误判"
        )
    assert illegal.value.code == Code.ILLEGAL_TRANSITION
    assert [e.action for e in case.events.all()] == ["flag", "confirm"]


def test_the_plan_then_a_review_that_re_evaluates_the_rules(t, flagged):
    case = services.weak_org_decide(
        actor=t.users["hp_admin"], case=flagged, action="confirm", reason="书记长期空缺"
    )
    with pytest.raises(Conflict):  # not before a plan
        services.weak_org_review(actor=t.users["hp_admin"], case=case)
    with pytest.raises(ValidationFailed) as incomplete:
        services.weak_org_plan(
            actor=t.users["hp_s1_staff"], case=case, leader="", measures="选配书记", deadline=None
        )
    assert incomplete.value.field == "leader"
    with pytest.raises(ValidationFailed) as past:
        services.weak_org_plan(
            actor=t.users["hp_s1_staff"],
            case=case,
            leader="王街道",
            measures="选配书记",
            deadline=TODAY - datetime.timedelta(days=1),
        )
    assert past.value.code == Code.DEADLINE_PAST
    case = services.weak_org_plan(
        actor=t.users["hp_s1_staff"],
        case=case,
        leader="王街道",
        measures="三个月内选配书记，每月督导",
        deadline=TODAY + datetime.timedelta(days=90),
    )
    assert case.state == S.RECTIFYING
    # The plan is a rectification item on the assessment app's list.
    problem = Problem.objects.get(org=t.orgs["hp_c1_b"])
    assert problem.source == "weak_org" and problem.source_ref.endswith(str(case.pk))
    assert Rectification.objects.get(problem=problem).owner == "王街道"
    # The post is still vacant: refused, naming the rule.
    with pytest.raises(Conflict) as still:
        services.weak_org_review(actor=t.users["hp_admin"], case=case)
    assert still.value.code == Code.STILL_HITS and "书记空缺" in str(still.value.message)
    assert WeakOrgCase.objects.get(pk=case.pk).state == S.RECTIFYING
    # A secretary is elected: the review clears it.
    org = PartyOrg.objects.get(pk=t.orgs["hp_c1_b"].pk)
    org_services.org_update(actor=None, org=org, secretary_name="周新")
    case = services.weak_org_review(actor=t.users["hp_admin"], case=case)
    assert case.state == S.CLEARED and case.review_hits == [] and case.override_reason == ""
    assert [e.action for e in case.events.all()] == ["flag", "confirm", "plan", "review"]


def test_the_district_may_override_a_review_with_a_reason(t, flagged):
    case = services.weak_org_decide(
        actor=t.users["hp_admin"], case=flagged, action="confirm", reason="书记空缺"
    )
    case = services.weak_org_plan(
        actor=t.users["hp_s1_staff"],
        case=case,
        leader="王街道",
        measures="选配书记",
        deadline=TODAY + datetime.timedelta(days=30),
    )
    with pytest.raises(PermissionDenied):  # the street may not override
        services.weak_org_review(
            actor=t.users["hp_s1_staff"], case=case, override_reason="已有人选"
        )
    case = services.weak_org_review(
        actor=t.users["hp_admin"], case=case, override_reason="书记人选已公示，待选举"
    )
    assert case.state == S.CLEARED and case.review_hits[0]["rule"] == "secretary_vacant"
    assert case.override_reason == "书记人选已公示，待选举"


def test_a_community_sees_its_case_only_once_confirmed(t):
    PartyOrg.objects.filter(pk=t.orgs["xh_c1_gb"].pk).update(
        secretary_name="", established_on=datetime.date(2010, 1, 1)
    )
    services.ensure_rules()
    WeakOrgRule.objects.exclude(code="secretary_vacant").update(enabled=False)
    services.weak_org_evaluate(actor=None, district=t.areas["xh"], year=TODAY.year)
    case = WeakOrgCase.objects.get(org=t.orgs["xh_c1_gb"])
    secretary, street = t.users["xh_c1_secretary"], t.users["xh_s1_staff"]
    assert list(selectors.weak_org_list(viewer=secretary)) == []
    assert list(selectors.weak_org_list(viewer=street)) == [case]
    assert list(selectors.weak_org_list(viewer=t.users["hp_admin"])) == []
    assert list(selectors.weak_org_list(viewer=t.users["xh_c3_secretary"])) == []
    with pytest.raises(NotFound):
        actions.perform(secretary, "weak-orgs", case.pk, "confirm", {"reason": "x"})
    services.weak_org_decide(actor=None, case=case, action="confirm", reason="书记空缺")
    assert list(selectors.weak_org_list(viewer=secretary)) == [case]
    # Seen, not decided: 403.
    with pytest.raises(PermissionDenied):
        actions.perform(secretary, "weak-orgs", case.pk, "plan", {})


def test_the_action_table_follows_the_transition_table(t, flagged):
    admin = t.users["hp_admin"]
    offered = [a.name for a in actions.offered(admin, "weak-orgs", flagged)]
    assert offered == ["confirm", "dismiss"]
    dismissed = actions.perform(admin, "weak-orgs", flagged.pk, "dismiss", {"reason": "已调整"})
    assert dismissed.state == S.DISMISSED
    assert actions.offered(admin, "weak-orgs", dismissed) == []
    with pytest.raises(Conflict):
        actions.perform(admin, "weak-orgs", flagged.pk, "confirm", {"reason": "x"})
    with pytest.raises(NotFound):
        actions.perform(admin, "weak-orgs", flagged.pk, "no-such-action", {})


@pytest.mark.parametrize("bad", ["\x00理由", "理" * 501])
def test_hostile_reasons_write_nothing(t, flagged, bad):
    with pytest.raises(ValidationFailed) as refused:
        actions.perform(t.users["hp_admin"], "weak-orgs", flagged.pk, "confirm", {"reason": bad})
    assert refused.value.field == "reason"
    assert WeakOrgCase.objects.get(pk=flagged.pk).state == S.CANDIDATE


def test_rules_are_tuned_by_the_district_only(t):
    rule = services.ensure_rules()[0]
    with pytest.raises(PermissionDenied):
        services.weak_org_rule_update(
            actor=t.users["xh_s1_staff"], rule=rule, enabled=False, params={}
        )
    with pytest.raises(ValidationFailed) as unknown:
        services.weak_org_rule_update(
            actor=t.users["xh_admin"], rule=rule, enabled=True, params={"nonsense": 1}
        )
    assert unknown.value.field == "params.nonsense"
    updated = services.weak_org_rule_update(
        actor=t.users["xh_admin"], rule=rule, enabled=False, params={"months": 6}
    )
    assert updated.enabled is False and updated.params["months"] == 6

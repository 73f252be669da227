"""Org rules (按党组织指标规则): a dispatch goes to the party orgs under the sender that
an org measure (core.org_measures) flags — 三会一课 compliance from orglife, the weak-org
flags from supervision — evaluated at sending over data already held, in a number of
queries that does not grow with the number of orgs. Each flagged org then receives it
as a listed org does."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.linkage import services
from jiceng.linkage.errors import LinkageErrorCode as Code
from jiceng.linkage.models import Dispatch, Notification, Receipt, Recipient, Report
from jiceng.orglife import services as orglife_services
from jiceng.orgs import services as org_services
from jiceng.orgs.models import PartyOrg
from jiceng.supervision.models import WeakOrgCase
from tests.linkage.conftest import draft_task

QUARTER = "2025-Q1"
# Due in 2025-Q1 for a branch: a member meeting and a lecture (quarterly), and three
# each of committee meetings and themed days (monthly): 8 in all.
DUE = [("member_meeting", 1), ("lecture", 1), ("committee_meeting", 3), ("themed_day", 3)]


def hold(org: PartyOrg, n: int) -> None:
    """`n` of the quarter's 8 due meetings held by `org` (the others missed)."""
    held = 0
    for kind, times in DUE:
        for month in range(1, times + 1):
            if held == n:
                return
            orglife_services.meeting_record(
                actor=None,
                org=org,
                facts=orglife_services.MeetingFacts(
                    kind=kind, held_on=datetime.date(2025, month, 10), topic="学习"
                ),
                attendance=[],
            )
            held += 1


@pytest.fixture
def held(territory):
    """Under 湖南路街道 (xh_s1): 复兴西路第一党支部 8/8 = 100 %, 复兴西路社区党总支
    6/8 = 75 %, the joint branch 7/8 = 87.5 %, the company's branch 0/8; 贵州路社区党支部
    under another district 0/8 (never a recipient of xh_s1)."""
    o = territory.orgs
    hold(o["xh_c1_b1"], 8)
    hold(o["xh_c1_gb"], 6)
    hold(o["xh_joint"], 7)
    return territory


def org_rule(t, *, comparison, threshold, measure="orglife.compliance", period=QUARTER, **extra):
    return draft_task(
        t,
        targeting=Dispatch.Targeting.ORG_RULE,
        rule_outcome=measure,
        rule_period=period,
        rule_comparison=comparison,
        rule_threshold=threshold,
        **extra,
    )


def flagged(dispatch) -> list[str]:
    return sorted(org.name for _area, org in services.expand_recipients(dispatch))


def test_a_rate_just_meeting_the_threshold_is_flagged_and_one_just_missing_is_not(held):
    t, o = held, held.orgs
    below = org_rule(t, comparison=Dispatch.Comparison.BELOW, threshold="75")
    assert flagged(below) == [o["xh_unit_org"].name]  # 75 % is not below 75
    at_most = org_rule(t, comparison=Dispatch.Comparison.AT_MOST, threshold="75")
    assert flagged(at_most) == sorted([o["xh_c1_gb"].name, o["xh_unit_org"].name])
    at_least = org_rule(t, comparison=Dispatch.Comparison.AT_LEAST, threshold="87.5")
    assert flagged(at_least) == sorted([o["xh_c1_b1"].name, o["xh_joint"].name])
    above = org_rule(t, comparison=Dispatch.Comparison.ABOVE, threshold="87.5")
    assert flagged(above) == [o["xh_c1_b1"].name]


def test_only_orgs_under_the_sender_of_the_chosen_group(held):
    t, o = held, held.orgs
    everyone = org_rule(t, comparison=Dispatch.Comparison.AT_LEAST, threshold="0")
    names = flagged(everyone)
    # Neither another district's branch, nor the street's own committee (it sits at the
    # street), nor a party group (it answers through its branch).
    assert o["hp_c1_b"].name not in names
    assert o["xh_s1_wc"].name not in names
    assert o["xh_unit_group"].name not in names
    community = org_rule(
        t,
        comparison=Dispatch.Comparison.AT_MOST,
        threshold="75",
        target_org_group=Dispatch.OrgGroup.COMMUNITY,
    )
    assert flagged(community) == [o["xh_c1_gb"].name]
    unit = org_rule(
        t,
        comparison=Dispatch.Comparison.AT_MOST,
        threshold="75",
        target_org_group=Dispatch.OrgGroup.UNIT,
    )
    assert flagged(unit) == [o["xh_unit_org"].name]
    # The district's rule reaches the other street's orgs of the district, not 黄浦's.
    district = org_rule(
        t, actor="xh_admin", sender="xh", comparison=Dispatch.Comparison.BELOW, threshold="1"
    )
    assert o["hp_c1_b"].name not in flagged(district)


def test_each_flagged_org_receives_it_like_a_listed_org(held):
    t, o = held, held.orgs
    draft = org_rule(t, comparison=Dispatch.Comparison.AT_MOST, threshold="75")
    services.dispatch_send(actor=t.users["xh_s1_staff"], dispatch=draft)
    rows = list(Recipient.objects.filter(dispatch=draft).order_by("name"))
    assert {(r.area_id, r.org_id) for r in rows} == {
        (None, o["xh_c1_gb"].pk),
        (None, o["xh_unit_org"].pk),
    }
    assert Receipt.objects.filter(recipient__dispatch=draft).count() == 2
    assert Report.objects.filter(recipient__dispatch=draft, state="pending").count() == 2
    # The company branch's secretary answers for it and is told.
    assert Notification.objects.filter(
        recipient=t.users["xh_unit_secretary"], title__contains=draft.title
    ).exists()
    created = AuditEntry.objects.get(
        target_type="linkage.dispatch", target_id=str(draft.pk), action="create"
    )
    assert created.changes["rule"] == "orglife.compliance"


def _case(t, org: str, state: str, year: int = 2025) -> WeakOrgCase:
    return WeakOrgCase.objects.create(
        org=t.orgs[org],
        district=t.areas["xh"],
        year=year,
        state=state,
        evaluated_at=timezone.now(),
    )


def test_weak_org_flags(territory):
    t, o = territory, territory.orgs
    _case(t, "xh_c1_gb", WeakOrgCase.State.CANDIDATE)
    _case(t, "xh_c1_b1", WeakOrgCase.State.RECTIFYING)
    _case(t, "xh_joint", WeakOrgCase.State.CLEARED)
    _case(t, "xh_unit_org", WeakOrgCase.State.CONFIRMED, year=2024)  # another year

    def weak(measure: str, period: str) -> Dispatch:
        return org_rule(
            t,
            measure=f"supervision.{measure}",
            period=period,
            comparison=Dispatch.Comparison.AT_LEAST,
            threshold="1",
        )

    assert flagged(weak("weak_confirmed", "2025")) == [o["xh_c1_b1"].name]
    assert flagged(weak("weak_candidate", "2025-Q3")) == [o["xh_c1_gb"].name]
    nobody = weak("weak_confirmed", "2026")
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_send(actor=t.users["xh_s1_staff"], dispatch=nobody)
    assert refused.value.code == Code.NO_RECIPIENTS
    assert not nobody.recipients.exists()


def _grow(t, n: int, start: int) -> None:
    for i in range(start, start + n):
        org = org_services.org_create(
            actor=None,
            name=f"复兴西路社区第{i}党支部",
            kind=PartyOrg.Kind.BRANCH,
            domain=PartyOrg.Domain.COMMUNITY,
            area=t.areas["xh_c2"],
            parent=t.orgs["xh_c1_gb"],
        )
        hold(org, i % 3)
        if i % 2:
            WeakOrgCase.objects.create(
                org=org, district=t.areas["xh"], year=2025, evaluated_at=timezone.now()
            )


@pytest.mark.parametrize(
    ("measure", "period"),
    [("orglife.compliance", QUARTER), ("supervision.weak_candidate", "2025")],
)
def test_queries_do_not_grow_with_the_number_of_orgs(held, measure, period):
    t = held
    draft = org_rule(
        t, measure=measure, period=period, comparison=Dispatch.Comparison.AT_MOST, threshold="1"
    )
    counts = []
    for extra in (3, 12):
        _grow(t, extra, start=len(counts) * 100 + 10)
        with CaptureQueriesContext(connection) as queries:
            found = services.expand_recipients(draft)
        counts.append((len(queries), len(found)))
    assert counts[0][0] == counts[1][0], counts
    assert counts[1][1] > counts[0][1]  # more orgs flagged, same number of queries


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        # An area outcome is no org measure, and an org measure is no area outcome.
        ({"measure": "appeals.satisfaction_rate"}, Code.OUTCOME_UNKNOWN),
        ({"measure": "nope.nothing"}, Code.OUTCOME_UNKNOWN),
        ({"target_org_group": "everyone"}, Code.BAD_CHOICE),
        ({"period": ""}, Code.PERIOD),
    ],
)
def test_bad_org_rules_are_refused_before_anything_is_written(territory, extra, code):
    before = Dispatch.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        org_rule(territory, comparison=Dispatch.Comparison.BELOW, threshold="80", **extra)
    assert refused.value.code == code
    assert Dispatch.objects.count() == before


def test_an_org_measure_is_no_area_rule(territory):
    with pytest.raises(ValidationFailed) as refused:
        draft_task(
            territory,
            targeting=Dispatch.Targeting.RULE,
            rule_outcome="supervision.weak_confirmed",
            rule_period="2025",
            rule_comparison=Dispatch.Comparison.AT_LEAST,
            rule_threshold="1",
        )
    assert refused.value.code == Code.OUTCOME_UNKNOWN


@pytest.mark.parametrize("actor", ["xh_chengguan", None])
def test_a_department_does_not_target_by_org_rule(duty_world, actor):
    """A department sees neither party orgs nor their meetings (core.roles): it may not
    pick orgs by them, whoever records the draft."""
    w = duty_world
    facts = services.DispatchFacts(
        kind=Dispatch.Kind.NOTICE,
        title="通知",
        targeting=Dispatch.Targeting.ORG_RULE,
        rule_outcome="orglife.compliance",
        rule_period=QUARTER,
        rule_comparison=Dispatch.Comparison.BELOW,
        rule_threshold="80",
    )
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_create(
            actor=w.user(actor) if actor else None,
            sender_area=w.t.areas["xh"],
            sender_department=w.department,
            facts=facts,
        )
    assert (refused.value.code, refused.value.field) == (Code.ORG_RULE_NOT_ALLOWED, "targeting")


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_api_and_page_draft_the_same_org_rule(client, held):
    t, o = held, held.orgs
    client.force_login(t.users["xh_s1_staff"])
    body = {
        "sender_area": t.areas["xh_s1"].pk,
        "kind": "notice",
        "title": "关于补齐组织生活的提醒",
        "targeting": "org_rule",
        "rule_outcome": "orglife.compliance",
        "rule_period": QUARTER,
        "rule_comparison": "le",
        "rule_threshold": "75",
        "target_org_group": "community",
    }
    created = _post(client, "/api/linkage/dispatches", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    detail = client.get(f"/api/linkage/dispatches/{pk}").json()
    assert (detail["targeting"], detail["rule_outcome"], detail["target_org_group"]) == (
        "org_rule",
        "orglife.compliance",
        "community",
    )
    assert _post(client, f"/api/linkage/dispatches/{pk}/send").status_code == 200
    rows = client.get(f"/api/linkage/dispatches/{pk}/recipients").json()["items"]
    assert [(r["org_id"], r["area_id"]) for r in rows] == [(o["xh_c1_gb"].pk, None)]

    page = client.get("/linkage/dispatches/new/")
    assert page.status_code == 200
    assert "按党组织指标规则" in page.content.decode()
    posted = client.post(
        "/linkage/dispatches/new/",
        {**{k: str(v) for k, v in body.items()}, "sender": f"area:{t.areas['xh_s1'].pk}"},
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    made = Dispatch.objects.exclude(pk=pk).get(title=body["title"])
    assert (made.targeting, made.rule_outcome, made.target_org_group) == (
        "org_rule",
        "orglife.compliance",
        "community",
    )
    # The same refusal in the same shape on both.
    bad = _post(client, "/api/linkage/dispatches", {**body, "rule_outcome": "nope.nothing"})
    assert bad.status_code == 400 and bad.json()["code"] == Code.OUTCOME_UNKNOWN
    assert bad.json()["field"] == "rule_outcome"
    refused = client.post(
        "/linkage/dispatches/new/",
        {
            **{k: str(v) for k, v in body.items()},
            "rule_outcome": "nope.nothing",
            "sender": f"area:{t.areas['xh_s1'].pk}",
        },
    )
    assert refused.status_code == 400
    assert Dispatch.objects.filter(title=body["title"]).count() == 2

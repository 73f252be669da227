"""Every weak-org rule on fixtures that just meet it and just miss it."""

import datetime

import pytest
from django.urls import reverse

from jiceng.assessment import services as assessment_services
from jiceng.assessment.models import Assessment, Scheme
from jiceng.assessment.services import ItemSpec, SchemeFacts
from jiceng.core.services import area_create
from jiceng.members import services as member_services
from jiceng.orgs import services as org_services
from jiceng.orgs.models import PartyOrg
from jiceng.supervision import rules
from jiceng.supervision.models import WeakOrgRule
from jiceng.supervision.services import ensure_rules
from jiceng.supervision.services.weak_orgs import evaluation_context
from tests.assessment.test_schemes import _review
from tests.members.factories import facts
from tests.supervision.conftest import YEAR, YEAR_END, at, case, cases, category, counted


def _hits(t, code: str, district="xh", today=YEAR_END, **params) -> dict:
    ensure_rules()
    rule = WeakOrgRule.objects.get(code=code)
    rule.params = {**rule.params, **params}
    ctx = evaluation_context(t.areas[district], YEAR, today)
    return rules.evaluate(ctx, [rule])


def test_the_orgs_examined_head_their_community(t):
    ctx = evaluation_context(t.areas["xh"], YEAR, YEAR_END)
    # Not the branch under the community's general branch, the joint branch of private
    # firms, nor the street's working committee.
    assert [o.pk for o in ctx.orgs] == [t.orgs["xh_c1_gb"].pk]


# ---- secretary post vacant more than 3 months ---------------------------------------------------


@pytest.mark.parametrize(("days_before", "hit"), [(0, False), (1, True)])
def test_secretary_vacant_more_than_three_months(t, days_before, hit):
    today = datetime.date(2025, 12, 15)
    three_months = datetime.date(2025, 9, 15)
    PartyOrg.objects.filter(pk=t.orgs["hp_c1_b"].pk).update(
        secretary_name="", established_on=three_months - datetime.timedelta(days=days_before)
    )
    found = _hits(t, "secretary_vacant", district="hp", today=today)
    assert (t.orgs["hp_c1_b"].pk in found) is hit
    if hit:
        evidence = found[t.orgs["hp_c1_b"].pk][0]
        assert evidence["rule"] == "secretary_vacant" and "2025-09-14" in evidence["value"]
        assert evidence["url"].endswith(f"/orgs/{t.orgs['hp_c1_b'].pk}/")


def test_a_secretary_emptied_recently_is_dated_by_the_change(t):
    PartyOrg.objects.filter(pk=t.orgs["hp_c1_b"].pk).update(
        secretary_name="周书记", established_on=datetime.date(2000, 1, 1)
    )
    org = PartyOrg.objects.get(pk=t.orgs["hp_c1_b"].pk)
    org_services.org_update(actor=None, org=org, secretary_name="")
    today = datetime.date.today()
    ctx = evaluation_context(t.areas["hp"], today.year, today)
    rule = next(r for r in ensure_rules() if r.code == "secretary_vacant")
    assert rules.evaluate(ctx, [rule]) == {}  # vacant since today, not since 2000
    later = today + datetime.timedelta(days=93)
    assert rules.secretary_vacant(evaluation_context(t.areas["hp"], later.year, later), rule)


# ---- organizational life below the required frequencies ---------------------------------------


def test_orglife_below_the_frequencies(t):
    """No meeting at all in 2025: behind in every period; the threshold is the number of
    periods missed, so the figure itself just meets it and one more just misses."""
    found = _hits(t, "orglife_below")
    org = t.orgs["xh_c1_gb"].pk
    assert org in found
    missing = int(found[org][0]["value"].split("缺 ")[1].split(" ")[0])
    assert missing >= 1
    assert org in _hits(t, "orglife_below", missing=missing)
    assert org not in _hits(t, "orglife_below", missing=missing + 1)
    assert found[org][0]["url"].endswith(f"?year={YEAR}")


# ---- satisfaction below 60 % ------------------------------------------------------------------


def test_satisfaction_just_below_sixty_percent(t):
    cases(t, "xh_c1", 6, satisfied=True)
    cases(t, "xh_c1", 4, satisfied=False)
    counted()
    # 6 / 10 = 60 %: not below.
    assert _hits(t, "satisfaction_low") == {}
    case(t, "xh_c1", satisfied=False)
    counted()
    # 6 / 11 = 54.5 %: below.
    found = _hits(t, "satisfaction_low")
    assert "54.5%" in found[t.orgs["xh_c1_gb"].pk][0]["value"]


def test_satisfaction_needs_enough_rated_cases(t):
    cases(t, "xh_c1", 9, satisfied=False)
    counted()
    assert _hits(t, "satisfaction_low") == {}  # 9 < min_rated 10
    assert _hits(t, "satisfaction_low", min_rated=9)


# ---- disputes and repeated appeals concentrated -------------------------------------------------


def test_repeated_appeals_from_one_place(t):
    cases(t, "xh_g1", 9, address="永福路 12 弄")
    assert _hits(t, "disputes_concentrated") == {}  # 9 < 10
    case(t, "xh_g1", address="永福路 12 弄")
    found = _hits(t, "disputes_concentrated")
    assert found[t.orgs["xh_c1_gb"].pk][0]["value"].startswith("10 件")


def test_places_below_the_repeat_count_do_not_count_but_disputes_do(t):
    for i in range(9):
        cases(t, "xh_c1", 2, address=f"湖南路 {i} 号")  # twice each: below 3 repeats
    assert _hits(t, "disputes_concentrated") == {}
    cases(t, "xh_c1", 9, cat=category(mediation=True))
    assert _hits(t, "disputes_concentrated") == {}  # 9 disputes
    case(t, "xh_c1", reopened=1)
    assert _hits(t, "disputes_concentrated")  # 9 disputes + 1 reopened


# ---- last place in the ranking ----------------------------------------------------------------


def _community(t, key: str, street: str, code: str, name: str) -> PartyOrg:
    if key not in t.areas:
        t.areas[key] = area_create(
            actor=None, parent=t.areas[street], code=code, name=name, level="community"
        )
    return org_services.org_create(
        actor=None,
        name=f"{name}党支部",
        kind=PartyOrg.Kind.BRANCH,
        domain=PartyOrg.Domain.COMMUNITY,
        area=t.areas[key],
        # 天平路街道 has no working committee in the fixture.
        parent=t.orgs["xh_s1_wc"] if street == "xh_s1" else None,
    )


def _second_community_org(t):
    return _community(t, "xh_c2", "xh_s1", "", "武康路社区")


def test_last_place_in_the_street(t):
    other = _second_community_org(t)
    cases(t, "xh_c1", 10, satisfied=True)
    cases(t, "xh_c2", 9, satisfied=True)
    case(t, "xh_c2", satisfied=False)
    counted()
    found = _hits(t, "ranking_last")
    assert list(found) == [other.pk]
    assert found[other.pk][0]["value"].startswith("第 2/2 名")


def test_last_place_needs_a_second_ranked_community(t):
    _second_community_org(t)
    cases(t, "xh_c1", 10, satisfied=True)
    cases(t, "xh_c2", 9, satisfied=False)  # 9 rated: not ranked
    counted()
    assert _hits(t, "ranking_last") == {}


def test_without_an_assessment_the_appeal_ranking_says_so(t):
    other = _second_community_org(t)
    cases(t, "xh_c1", 10, satisfied=True)
    cases(t, "xh_c2", 10, satisfied=False)
    counted()
    evidence = _hits(t, "ranking_last")[other.pk][0]
    assert "诉求满意率" in evidence["detail"]
    assert evidence["url"] == (
        reverse("supervision:fair_ranking") + f"?area={t.areas['xh_s1'].pk}&period={YEAR}"
    )


# ...in the assessment's published yearly ranking, when the year has one


@pytest.fixture
def communities(t):
    """Four community orgs of 徐汇 assessed in 2025: three in 湖南路街道 (xh_c1, xh_c2,
    xh_c4), one alone in 天平路街道 (xh_c3). The appeal rates put xh_c1 last in its
    street, so a hit elsewhere can only come from the assessment's ranking."""
    t.orgs["xh_c2_b"] = _second_community_org(t)
    t.orgs["xh_c4_b"] = _community(t, "xh_c4", "xh_s1", "310104003004", "衡山路社区")
    t.orgs["xh_c3_b"] = _community(t, "xh_c3", "xh_s2", "", "东平路社区")
    cases(t, "xh_c1", 10, satisfied=False)
    for key in ("xh_c2", "xh_c4", "xh_c3"):
        cases(t, key, 10, satisfied=True)
    counted()
    return t


def _assessed(t, grades: dict[str, str], *, publish: bool = True) -> Scheme:
    """The 2025 scheme for the communities, scored by the review alone (weight 100), so
    each org's total is its grade's points (好 100, 较好 80, 一般 60, 差 0)."""
    admin = t.users["xh_admin"]
    facts = SchemeFacts(
        name="2025年度社区党组织考核",
        groups=["community"],
        review_weight=100,
        items=[ItemSpec("appeals.satisfaction_rate", 100, "linear", floor=0.5, target=1.0)],
    )
    scheme = assessment_services.scheme_create(
        actor=admin, district=t.areas["xh"], year=YEAR, facts=facts
    )
    scheme = assessment_services.scheme_open(actor=admin, scheme=scheme)
    for key, grade in grades.items():
        row = Assessment.objects.get(scheme=scheme, org=t.orgs[key])
        _review(t, row, [grade], upper=admin)
    assessment_services.scheme_score(actor=admin, scheme=scheme)
    if publish:
        assessment_services.scheme_publish(actor=admin, scheme=scheme)
    return scheme


def test_last_in_the_published_ranking_and_not_second_to_last(communities):
    t = communities
    scheme = _assessed(
        t, {"xh_c1_gb": "good", "xh_c2_b": "fairly_good", "xh_c4_b": "fair", "xh_c3_b": "poor"}
    )
    examined = {o.pk for o in evaluation_context(t.areas["xh"], YEAR, YEAR_END).orgs}
    assert examined == {t.orgs[k].pk for k in ("xh_c1_gb", "xh_c2_b", "xh_c4_b", "xh_c3_b")}
    found = _hits(t, "ranking_last")
    # xh_c4 is last of its street's three; xh_c2 second to last; xh_c3, last of the
    # district, is the only community of its street; xh_c1, last by appeal rates, is
    # first here.
    assert list(found) == [t.orgs["xh_c4_b"].pk]
    evidence = found[t.orgs["xh_c4_b"].pk][0]
    assert evidence["value"] == "本街道第 3/3 名（全区第 3/4 名，总分 60.00）"
    assert "考核排名" in evidence["detail"]
    assert evidence["url"] == reverse("assessment:ranking", args=[scheme.pk]) + "?group=community"


def test_a_shared_last_place_is_each_last_and_a_shared_first_is_nobody_last(communities):
    t = communities
    _assessed(t, {"xh_c1_gb": "good", "xh_c2_b": "fair", "xh_c4_b": "fair", "xh_c3_b": "poor"})
    found = _hits(t, "ranking_last")
    assert set(found) == {t.orgs["xh_c2_b"].pk, t.orgs["xh_c4_b"].pk}
    assert found[t.orgs["xh_c2_b"].pk][0]["value"].startswith("本街道第 2/3 名")


def test_all_tied_nobody_is_last(communities):
    t = communities
    _assessed(t, {"xh_c1_gb": "fair", "xh_c2_b": "fair", "xh_c4_b": "fair", "xh_c3_b": "poor"})
    assert _hits(t, "ranking_last") == {}


def test_an_unpublished_ranking_is_not_used(communities):
    t = communities
    scheme = _assessed(
        t,
        {"xh_c1_gb": "good", "xh_c2_b": "fairly_good", "xh_c4_b": "fair", "xh_c3_b": "poor"},
        publish=False,
    )
    assert Assessment.objects.filter(scheme=scheme, rank=3).exists()  # scored and ranked
    found = _hits(t, "ranking_last")
    # The appeal rates decide: xh_c1 is last of 湖南路街道's three.
    assert list(found) == [t.orgs["xh_c1_gb"].pk]
    assert found[t.orgs["xh_c1_gb"].pk][0]["url"].startswith(reverse("supervision:fair_ranking"))


def test_the_review_of_one_org_still_compares_it_with_its_peers(communities):
    """A weak-org review evaluates the rules for one org; its place is still among the
    street's communities."""
    t = communities
    _assessed(
        t, {"xh_c1_gb": "good", "xh_c2_b": "fairly_good", "xh_c4_b": "fair", "xh_c3_b": "poor"}
    )
    ensure_rules()
    rule = WeakOrgRule.objects.get(code="ranking_last")
    last, second = t.orgs["xh_c4_b"].pk, t.orgs["xh_c2_b"].pk
    ctx = evaluation_context(t.areas["xh"], YEAR, YEAR_END)
    assert list(rules.evaluate(ctx, [rule], only={last})) == [last]
    ctx = evaluation_context(t.areas["xh"], YEAR, YEAR_END)
    assert rules.evaluate(ctx, [rule], only={second}) == {}


# ---- no new member in two years -----------------------------------------------------------------


def _members(t, joined: list[datetime.date]) -> None:
    for i, day in enumerate(joined):
        member_services.member_register(
            actor=None,
            org=t.orgs["xh_c1_b1"],
            facts=facts(
                name=f"党员{i}",
                birth=datetime.date(1960, 1, 1 + i),
                joined_on=day,
                full_on=day.replace(year=day.year + 1),
            ),
        )


@pytest.mark.parametrize(
    ("newest", "hit"),
    [(datetime.date(2023, 12, 30), True), (datetime.date(2023, 12, 31), False)],
)
def test_no_new_member_in_two_years(t, newest, hit):
    """As of 2025-12-31 the window opens on 2023-12-31: a member who joined that day is
    new; the day before is not."""
    _members(t, [datetime.date(2000, 7, 1), datetime.date(2005, 7, 1), newest])
    found = _hits(t, "no_new_member")
    assert (t.orgs["xh_c1_gb"].pk in found) is hit


def test_no_new_member_applies_to_orgs_with_members_to_develop_from(t):
    _members(t, [datetime.date(2000, 7, 1), datetime.date(2005, 7, 1)])
    assert _hits(t, "no_new_member") == {}  # two members < min_members 3
    assert _hits(t, "no_new_member", min_members=2)


def test_a_disabled_rule_does_not_run(t):
    cases(t, "xh_g1", 10, address="永福路 12 弄")
    ensure_rules()
    WeakOrgRule.objects.filter(code="disputes_concentrated").update(enabled=False)
    ctx = evaluation_context(t.areas["xh"], YEAR, YEAR_END)
    assert rules.evaluate(ctx, WeakOrgRule.objects.filter(code="disputes_concentrated")) == {}


def test_received_dates_outside_the_year_are_not_counted(t):
    cases(t, "xh_g1", 10, address="永福路 12 弄", received=at(12, 31, 2024))
    assert _hits(t, "disputes_concentrated") == {}

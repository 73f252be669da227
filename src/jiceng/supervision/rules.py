"""Weak-org detection (软弱涣散排查): each rule's logic, by code, over data already in
the system, read through the other apps' selectors and the outcome registry. What the
district tunes — whether a rule runs and its parameters — is data (WeakOrgRule).

The orgs examined are the community orgs heading their community (orgs.selectors
.community_top_orgs): the yearly check of 社区党组织 the rules of 动态管理 ask for.
Each hit names its evidence: the figure, what it was compared with, and the page that
lists the records behind it.

"Last place in the yearly ranking" reads the assessment's published yearly ranking
through the rankings registry (core.rankings): an org is last when it ranks last among
its peers — the orgs of its street in the same assessed group. A street none of whose
communities is in a published ranking of the year is ranked by the year's appeal rates
instead (satisfaction, then resolution, then response, as the appeals ranking); the
hit says which ranking it used and links to it (docs/user-guide/supervision.md)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.models import Area
from jiceng.core.outcomes import Period, outcome
from jiceng.core.rankings import Entry, ranking

SATISFACTION = "appeals.satisfaction_rate"
RANK_OUTCOMES = ("appeals.satisfaction_rate", "appeals.resolution_rate", "appeals.response_rate")
YEARLY_RANKING = "assessment.yearly"


class SystemReader:
    """The evaluation reads as the system: selectors that take a viewer are given this,
    whose scope is everything. Never a request's user; never stored."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Context:
    """One evaluation: the district, the year, the day it is evaluated as of (the year's
    last day for a past year), the orgs examined, and figures shared between rules."""

    district: Area
    year: int
    today: datetime.date
    orgs: list = field(default_factory=list)
    # Every org examined before a review narrowed `orgs` to one: a ranking compares an
    # org with its peers, who stay in the comparison.
    peers: list = field(default_factory=list)
    _figures: dict = field(default_factory=dict)

    @property
    def period(self) -> Period:
        return Period.year(self.year)

    @property
    def year_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    def figure(self, key: str, area: Area):
        cache_key = (key, area.pk)
        if cache_key not in self._figures:
            self._figures[cache_key] = outcome(key).measure(area, self.period)
        return self._figures[cache_key]


def hit(rule, value: str, detail: str, url: str) -> dict:
    return {"rule": rule.code, "name": rule.name, "value": value, "detail": detail, "url": url}


def _org_url(org) -> str:
    return reverse("orgs:org_detail", args=[org.pk])


# ---- the rules -------------------------------------------------------------------------------


def secretary_vacant(ctx: Context, rule) -> dict[int, dict]:
    from jiceng.orgs.selectors import secretary_vacant_since

    months = int(rule.params.get("months", 3))
    result = {}
    for org_id, since in secretary_vacant_since(ctx.orgs).items():
        if add_months(since, months) < ctx.today:
            org = next(o for o in ctx.orgs if o.pk == org_id)
            result[org_id] = hit(
                rule,
                _("自 %(since)s 起空缺") % {"since": since.isoformat()},
                _("书记空缺超过 %(months)d 个月") % {"months": months},
                _org_url(org),
            )
    return result


def orglife_below(ctx: Context, rule) -> dict[int, dict]:
    from jiceng.orglife.selectors import area_compliance

    threshold = int(rule.params.get("missing", 1))
    lines = area_compliance(
        viewer=SystemReader(),
        area=ctx.district,
        year=ctx.year,
        today=min(ctx.today, ctx.year_end + datetime.timedelta(days=1)),
        only_behind=True,
    )
    examined = {o.pk for o in ctx.orgs}
    result = {}
    for line in lines:
        if line.org.pk in examined and line.missing >= threshold:
            result[line.org.pk] = hit(
                rule,
                _("应开展 %(due)d 次，缺 %(missing)d 次")
                % {"due": line.due, "missing": line.missing},
                _("未达到《中国共产党支部工作条例（试行）》规定的组织生活频次"),
                reverse("orglife:org_compliance", args=[line.org.pk]) + f"?year={ctx.year}",
            )
    return result


def satisfaction_low(ctx: Context, rule) -> dict[int, dict]:
    threshold = float(rule.params.get("threshold", 0.6))
    min_rated = int(rule.params.get("min_rated", 10))
    result = {}
    for org in ctx.orgs:
        figure = ctx.figure(SATISFACTION, org.area)
        if figure.value is None or (figure.denominator or 0) < min_rated:
            continue
        if figure.value < threshold:
            result[org.pk] = hit(
                rule,
                f"{figure.value:.1%}（{figure.numerator}/{figure.denominator}）",
                _("年度群众满意率低于 %(threshold)s") % {"threshold": f"{threshold:.0%}"},
                reverse("appeals:rates") + f"?area={org.area_id}",
            )
    return result


def disputes_concentrated(ctx: Context, rule) -> dict[int, dict]:
    from jiceng.appeals.casemix import dispute_concentration

    threshold = int(rule.params.get("threshold", 10))
    repeats = int(rule.params.get("repeats", 3))
    found = dispute_concentration(
        area=ctx.district,
        start=ctx.period.start,
        end=min(ctx.period.end, ctx.today + datetime.timedelta(days=1)),
        repeats=repeats,
    )
    result = {}
    for org in ctx.orgs:
        item = found.get(org.area_id)
        if item is None or item.cases < threshold:
            continue
        result[org.pk] = hit(
            rule,
            _("%(cases)d 件（纠纷 %(disputes)d、重复 %(repeated)d、重办 %(reopened)d）")
            % {
                "cases": item.cases,
                "disputes": item.disputes,
                "repeated": item.repeated,
                "reopened": item.reopened,
            },
            _("矛盾纠纷和重复诉求集中（不少于 %(threshold)d 件）") % {"threshold": threshold},
            reverse("appeals:list") + f"?area={org.area_id}",
        )
    return result


def _by_street(orgs) -> dict[int | None, list]:
    found: dict[int | None, list] = {}
    for org in orgs:
        found.setdefault(org.area.parent_id, []).append(org)
    return found


def _last_in_assessment(rule, entries: list[Entry], org) -> dict | None:
    """The hit when `org` ranks last among its peers in the published ranking: the
    entries of its street in its group. Equal last scores are each last; when all the
    peers share one rank, none is behind another."""
    own = next((e for e in entries if e.org == org.pk), None)
    if own is None:
        return None
    peers = [e for e in entries if e.group == own.group and e.parent == own.parent]
    ranks = [e.rank for e in peers]
    if own.rank != max(ranks) or min(ranks) == max(ranks):
        return None
    place = 1 + sum(1 for e in peers if e.rank < own.rank)
    return hit(
        rule,
        _("本街道第 %(place)d/%(of)d 名（全区第 %(rank)d/%(total)d 名，总分 %(score)s）")
        % {
            "place": place,
            "of": len(peers),
            "rank": own.rank,
            "total": own.total,
            "score": own.score,
        },
        _("已发布的年度考核排名中，在本街道同类党组织末位"),
        own.url,
    )


def _last_in_appeals(ctx: Context, rule, street_orgs: list) -> tuple[object, dict] | None:
    """The street's last community by the year's appeal rates, with its hit, among
    those with enough rated cases (at least two)."""
    min_rated = int(rule.params.get("min_rated", 10))
    ranked = []
    for org in street_orgs:
        figures = [ctx.figure(key, org.area) for key in RANK_OUTCOMES]
        if (figures[0].denominator or 0) < min_rated:
            continue
        ranked.append((tuple(-(f.value or 0) for f in figures), org.area.code, org, figures))
    if len(ranked) < 2:
        return None
    ranked.sort(key=lambda item: (item[0], item[1]))
    _key, _code, org, figures = ranked[-1]
    return org, hit(
        rule,
        _("第 %(place)d/%(of)d 名（满意率 %(rate)s）")
        % {"place": len(ranked), "of": len(ranked), "rate": f"{figures[0].value:.1%}"},
        _("本年度未发布考核排名，按诉求满意率、解决率、响应率排名，在本街道末位"),
        reverse("supervision:fair_ranking") + f"?area={org.area.parent_id}&period={ctx.year}",
    )


def ranking_last(ctx: Context, rule) -> dict[int, dict]:
    yearly = ranking(YEARLY_RANKING)
    entries = yearly.entries(ctx.district, ctx.year) if yearly is not None else []
    ranked = {e.org for e in entries}
    examined = {o.pk for o in ctx.orgs}
    result = {}
    for street_orgs in _by_street(ctx.peers or ctx.orgs).values():
        if any(o.pk in ranked for o in street_orgs):
            for org in street_orgs:
                found = _last_in_assessment(rule, entries, org)
                if found is not None:
                    result[org.pk] = found
        elif (last := _last_in_appeals(ctx, rule, street_orgs)) is not None:
            result[last[0].pk] = last[1]
    return {pk: item for pk, item in result.items() if pk in examined}


def no_new_member(ctx: Context, rule) -> dict[int, dict]:
    from jiceng.members.selectors import member_development

    years = int(rule.params.get("years", 2))
    min_members = int(rule.params.get("min_members", 3))
    since = add_months(ctx.today, -12 * years)
    # Applies to an org founded before the window and with enough members to develop
    # from; a new or very small org is not expected to have developed anyone yet.
    applies = [o for o in ctx.orgs if o.established_on is None or o.established_on <= since]
    result = {}
    for org_id, (total, recent) in member_development(orgs=applies, since=since).items():
        if total >= min_members and recent == 0:
            org = next(o for o in applies if o.pk == org_id)
            result[org_id] = hit(
                rule,
                _("党员 %(total)d 人，%(since)s 以来新发展 0 人")
                % {"total": total, "since": since.isoformat()},
                _("%(years)d 年未发展党员") % {"years": years},
                reverse("members:list") + f"?org={org.pk}",
            )
    return result


RuleFunction = Callable[[Context, object], dict[int, dict]]

# code → (logic, default name, default parameters, order)
RULES: dict[str, tuple[RuleFunction, object, dict, int]] = {
    "secretary_vacant": (secretary_vacant, gettext_lazy("书记空缺超过3个月"), {"months": 3}, 10),
    "orglife_below": (
        orglife_below,
        gettext_lazy("组织生活未达到支部工作条例规定频次"),
        {"missing": 1},
        20,
    ),
    "satisfaction_low": (
        satisfaction_low,
        gettext_lazy("年度群众满意率低于60%"),
        {"threshold": 0.6, "min_rated": 10},
        30,
    ),
    "disputes_concentrated": (
        disputes_concentrated,
        gettext_lazy("矛盾纠纷和重复诉求集中"),
        {"threshold": 10, "repeats": 3},
        40,
    ),
    "ranking_last": (ranking_last, gettext_lazy("年度排名末位"), {"min_rated": 10}, 50),
    "no_new_member": (
        no_new_member,
        gettext_lazy("两年未发展党员"),
        {"years": 2, "min_members": 3},
        60,
    ),
}


def evaluate(ctx: Context, rules, *, only=None) -> dict[int, list[dict]]:
    """{org id: hits} over the enabled rules; `only` limits the orgs (a review)."""
    ctx.peers = ctx.peers or list(ctx.orgs)
    if only is not None:
        ctx.orgs = [o for o in ctx.orgs if o.pk in only]
    found: dict[int, list[dict]] = {}
    for rule in rules:
        if not rule.enabled or rule.code not in RULES:
            continue
        for org_id, item in RULES[rule.code][0](ctx, rule).items():
            found.setdefault(org_id, []).append(item)
    return found

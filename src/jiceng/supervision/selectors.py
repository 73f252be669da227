"""Every read of supervision a person sees; scoped through core.scope. A community sees
its own weak-org case and star rating only once the district has confirmed it
(`pending_visible`): candidates and unconfirmed ratings are the street's and the
district's working material."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jiceng.core.models import Area
from jiceng.core.outcomes import Period
from jiceng.core.scope import KIND_SUPERVISION, scope_for
from jiceng.supervision import fairness, states
from jiceng.supervision.access import STREET_DEPTH
from jiceng.supervision.models import (
    Inspection,
    StarCriterion,
    StarRating,
    Talk,
    WeakOrgCase,
    WeakOrgRule,
)


def _street_or_above(viewer) -> Q | None:
    """Orgs under the viewer's grants at street level or above (None: everything)."""
    scope = scope_for(viewer)
    if scope.everything:
        return None
    condition = Q(pk__in=[])
    for grant in scope.grants:
        if grant.area_path and grant.area_path.count("/") <= STREET_DEPTH:
            condition |= Q(org__area__path__startswith=grant.area_path)
    return condition


def pending_visible(viewer, queryset: QuerySet, confirmed: Q) -> QuerySet:
    """`queryset` (already scoped) limited, below the street, to what is confirmed."""
    above = _street_or_above(viewer)
    return queryset if above is None else queryset.filter(above | confirmed)


def weak_org_list(
    *, viewer, year: int | None = None, state: str | None = None, area: Area | None = None
) -> QuerySet[WeakOrgCase]:
    cases = scope_for(viewer).filter(
        WeakOrgCase.objects.select_related("org", "org__area", "district")
    )
    cases = pending_visible(viewer, cases, Q(state__in=states.CONFIRMED_STATES))
    if year:
        cases = cases.filter(year=year)
    if state:
        cases = cases.filter(state=state)
    if area is not None:
        cases = cases.filter(org__area__path__startswith=area.path)
    return cases.order_by("-year", "state", "org__path")


def weak_org_get(*, viewer, case_id) -> WeakOrgCase:
    cases = weak_org_list(viewer=viewer).prefetch_related("events")
    return scope_for(viewer).get(cases, pk=case_id)


def rating_list(
    *, viewer, year: int | None = None, area: Area | None = None
) -> QuerySet[StarRating]:
    ratings = scope_for(viewer).filter(StarRating.objects.select_related("org", "org__area"))
    ratings = pending_visible(viewer, ratings, Q(confirmed_at__isnull=False))
    if year:
        ratings = ratings.filter(year=year)
    if area is not None:
        ratings = ratings.filter(org__area__path__startswith=area.path)
    return ratings.order_by("-year", "-stars", "org__path")


def rating_get(*, viewer, rating_id) -> StarRating:
    return scope_for(viewer).get(rating_list(viewer=viewer), pk=rating_id)


def inspection_list(*, viewer, org=None, area: Area | None = None) -> QuerySet[Inspection]:
    rows = scope_for(viewer).filter(Inspection.objects.select_related("org", "org__area"))
    if org is not None:
        rows = rows.filter(org=org)
    if area is not None:
        rows = rows.filter(org__area__path__startswith=area.path)
    return rows.order_by("-planned_on", "-id")


def inspection_get(*, viewer, inspection_id) -> Inspection:
    return scope_for(viewer).get(inspection_list(viewer=viewer), pk=inspection_id)


def talk_list(
    *, viewer, org=None, area: Area | None = None, awaiting: bool = False
) -> QuerySet[Talk]:
    rows = scope_for(viewer).filter(Talk.objects.select_related("org", "org__area"))
    if org is not None:
        rows = rows.filter(org=org)
    if area is not None:
        rows = rows.filter(org__area__path__startswith=area.path)
    if awaiting:
        rows = rows.filter(followed_up_at__isnull=True)
    return rows.order_by("-held_on", "-id")


def talk_get(*, viewer, talk_id) -> Talk:
    return scope_for(viewer).get(talk_list(viewer=viewer), pk=talk_id)


def rules() -> list[WeakOrgRule]:
    return list(WeakOrgRule.objects.order_by("order", "code"))


def rule_get(code: str) -> WeakOrgRule | None:
    return WeakOrgRule.objects.filter(code=code).first()


def criteria() -> list[StarCriterion]:
    return list(StarCriterion.objects.order_by("order", "id"))


def criterion_get(criterion_id) -> StarCriterion | None:
    try:
        return StarCriterion.objects.filter(pk=int(criterion_id)).first()
    except (TypeError, ValueError):
        return None


def districts_in_sight(*, viewer) -> list[Area]:
    return list(
        scope_for(viewer).filter(Area.objects.filter(level=Area.Level.DISTRICT)).order_by("code")
    )


def home_area(*, viewer) -> Area | None:
    """Where the fair ranking opens: the first district in sight, else the first street."""
    for level in (Area.Level.DISTRICT, Area.Level.STREET):
        found = scope_for(viewer).filter(Area.objects.filter(level=level)).order_by("code").first()
        if found is not None:
            return found
    return None


def can_see(viewer) -> bool:
    return scope_for(viewer).can_see_kind(KIND_SUPERVISION)


# ---- the org's file (orgs' detail page, through its section registry) ----------------------


@dataclass
class OrgFile:
    cases: list[WeakOrgCase]
    ratings: list[StarRating]
    inspections: list[Inspection]
    talks: list[Talk]

    @property
    def empty(self) -> bool:
        return not (self.cases or self.ratings or self.inspections or self.talks)


def org_file(*, viewer, org) -> OrgFile | None:
    """What supervision holds on one org, for its file: four short queries."""
    if not can_see(viewer):
        return None
    return OrgFile(
        cases=list(weak_org_list(viewer=viewer).filter(org=org)[:10]),
        ratings=list(rating_list(viewer=viewer).filter(org=org)[:5]),
        inspections=list(inspection_list(viewer=viewer, org=org)[:10]),
        talks=list(talk_list(viewer=viewer, org=org)[:10]),
    )


# ---- the fair ranking ----------------------------------------------------------------------


@dataclass
class FairRow:
    area: Area
    mix: fairness.StreetMix | None
    raw_place: int = 0
    fair_place: int = 0


@dataclass
class FairRanking:
    parent: Area
    period: Period
    history: Period
    rows: list[FairRow]  # in the fair order
    min_cell: int

    @property
    def raw_order(self) -> list[FairRow]:
        return sorted(self.rows, key=lambda r: r.raw_place)


def history_before(period: Period, months: int = 12) -> Period:
    from jiceng.supervision.rules import add_months

    start = add_months(period.start, -months)
    return Period(start, period.start, f"{start:%Y-%m}—{period.start:%Y-%m}")


def fair_ranking(
    *, viewer, parent: Area, period: Period, min_cell: int = fairness.MIN_CELL
) -> FairRanking:
    """The streets of a district (the children the viewer sees) ranked raw and adjusted
    for their case mix, the expectation from the district's previous 12 months. Two
    grouped queries over the cases, whatever the number of streets."""
    from jiceng.appeals.casemix import case_mix

    history = history_before(period)
    district = parent if parent.level == Area.Level.DISTRICT else parent.parent or parent
    expected = fairness.expectation(
        case_mix(area=district, start=history.start, end=history.end, by_street=False),
        min_cell=min_cell,
    )
    mixes = fairness.adjust(
        case_mix(area=district, start=period.start, end=period.end, by_street=True), expected
    )
    children = list(
        scope_for(viewer).filter(
            Area.objects.filter(parent=district, level=Area.Level.STREET).order_by("code")
        )
    )
    rows = [FairRow(area=a, mix=mixes.get(a.pk)) for a in children]
    for place, row in enumerate(
        sorted(rows, key=lambda r: (fairness.observed_key(r.mix), r.area.code)), 1
    ):
        row.raw_place = place
    rows.sort(key=lambda r: (fairness.adjusted_key(r.mix), r.area.code))
    for place, row in enumerate(rows, 1):
        row.fair_place = place
    return FairRanking(
        parent=district, period=period, history=history, rows=rows, min_cell=min_cell
    )


def parse_period(text: str | None, today: datetime.date) -> Period:
    """A year or a month; the last full month when empty."""
    if not text:
        first = today.replace(day=1) - datetime.timedelta(days=1)
        return Period.month(first.year, first.month)
    return Period.parse(text)

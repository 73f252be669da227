"""The figures of appeals: the three rates and the on-time rate of a month under a node,
the ranking of a node's children, and the monthly and category figures the dashboard's
charts draw, all scoped through the viewer's cases (appeals.selectors). A node the viewer
sees whole reads the monthly counters (appeals.rollup) instead of the cases.
Formulas: docs/appeals-rates.md."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from jiceng.appeals import open_rollup, rollup
from jiceng.appeals.models import Appeal, AppealCategoryMonthStat, AppealMonthStat
from jiceng.appeals.selectors import LOCAL, appeal_list, appeal_visible
from jiceng.core.models import Area
from jiceng.core.rollups import memoized
from jiceng.core.scope import scope_for

# ---- the three rates ---------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime(year, month, 1, tzinfo=LOCAL)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=LOCAL)
    return start, end


# Each rate: (numerator counter, denominator counter) of appeals.rollup, whose
# CONDITIONS say what each counter counts. Formulas: docs/appeals-rates.md.
RATES: dict[str, tuple[str, str]] = {
    "response": ("responded_on_time", "received"),
    "resolution": ("resolved", "rated"),
    "satisfaction": ("satisfied", "rated"),
    "on_time": ("on_time_met", "on_time_due"),
}
RATE_CONDITIONS = {
    name: (rollup.CONDITIONS[numerator], rollup.CONDITIONS[denominator])
    for name, (numerator, denominator) in RATES.items()
}
ROLLUP_LEVELS = (Area.Level.CITY, Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY)


@dataclass
class Rates:
    received: int
    counts: dict[str, tuple[int, int]]  # rate name → (numerator, denominator)

    def rate(self, name: str) -> float | None:
        numerator, denominator = self.counts[name]
        return numerator / denominator if denominator else None

    @classmethod
    def from_counters(cls, row: dict) -> "Rates":
        return cls(
            received=row.get("received") or 0,
            counts={n: (row.get(a) or 0, row.get(b) or 0) for n, (a, b) in RATES.items()},
        )


def _cases_under(viewer, area: Area, start, end) -> QuerySet[Appeal]:
    """Cases received in [start, end) under `area`, scoped. Above the street level the
    filter goes through the indexed street column instead of joining each case to its
    area."""
    base = appeal_visible(viewer).filter(received_at__gte=start, received_at__lt=end)
    if area.level == Area.Level.STREET:
        return base.filter(street=area)
    if area.level in (Area.Level.CITY, Area.Level.DISTRICT):
        streets = Area.objects.filter(level=Area.Level.STREET, path__startswith=area.path)
        return base.filter(street__in=streets.values("pk"))
    return base.filter(area__path__startswith=area.path)


def _stats_under(area: Area, year: int, month: int) -> QuerySet[AppealMonthStat]:
    stats = AppealMonthStat.objects.filter(month=datetime.date(year, month, 1))
    if area.level == Area.Level.COMMUNITY:
        return stats.filter(community=area)
    if area.level == Area.Level.STREET:
        return stats.filter(street=area)
    streets = Area.objects.filter(level=Area.Level.STREET, path__startswith=area.path)
    return stats.filter(street__in=streets.values("pk"))


def _use_rollup(viewer, area: Area) -> bool:
    """The monthly rows serve a node at community level or above that the viewer sees
    whole; anything else (a grid, a partly visible node) is counted from the cases."""
    return area.level in ROLLUP_LEVELS and scope_for(viewer).covers_subtree(Appeal, area.path)


def _raw_aggregates() -> dict:
    return {name: Count("id", filter=condition) for name, condition in rollup.CONDITIONS.items()}


def rates(*, viewer, area: Area, year: int, month: int) -> Rates:
    if _use_rollup(viewer, area):
        row = _stats_under(area, year, month).aggregate(
            **{name: Sum(name) for name in rollup.COUNTERS}
        )
    else:
        start, end = month_bounds(year, month)
        row = _cases_under(viewer, area, start, end).aggregate(**_raw_aggregates())
    return Rates.from_counters(row)


def rate_cases(*, viewer, area: Area, year: int, month: int, rate: str, part: str):
    """The cases behind one number: part "numerator", "denominator" or "missed"."""
    start, end = month_bounds(year, month)
    numerator, denominator = RATE_CONDITIONS[rate]
    cases = appeal_list(viewer=viewer, area=area).filter(
        received_at__gte=start, received_at__lt=end
    )
    if part == "numerator":
        return cases.filter(numerator & denominator)
    if part == "missed":
        return cases.filter(denominator).exclude(numerator)
    return cases.filter(denominator)


@dataclass
class RankingRow:
    area: Area
    rates: Rates


def ranking(*, viewer, parent: Area, year: int, month: int) -> list[RankingRow]:
    """The month's ranking of a district's streets (or a street's communities, or a
    city's districts): by satisfaction, then resolution, then response rate."""
    children = list(scope_for(viewer).filter(Area.objects.filter(parent=parent)))
    by_code: dict[str, Rates] = {}
    if _use_rollup(viewer, parent):
        stats = _stats_under(parent, year, month)
        if parent.level == Area.Level.STREET:
            key = "community__code"
        elif parent.level == Area.Level.DISTRICT:
            key = "street__code"
        else:
            key = "street__parent__code"
        rows = stats.values(key).annotate(**{name: Sum(name) for name in rollup.COUNTERS})
    else:
        from django.db.models.functions import Substr

        start, end = month_bounds(year, month)
        key = "child_code"
        # The child's code is the path segment right after the parent's path.
        rows = (
            _cases_under(viewer, parent, start, end)
            .annotate(child_code=Substr("area__path", len(parent.path) + 1, 12))
            .values(key)
            .annotate(**_raw_aggregates())
        )
    for row in rows:
        by_code[row[key]] = Rates.from_counters(row)
    empty = Rates.from_counters({})
    result = [RankingRow(area=child, rates=by_code.get(child.code, empty)) for child in children]

    def sort_key(row: RankingRow):
        return tuple(-(row.rates.rate(n) or 0) for n in ("satisfaction", "resolution", "response"))

    result.sort(key=lambda r: (sort_key(r), r.area.code))
    return result


# ---- figures for the dashboard's charts (dashboard.charts) ----------------------------------


def last_months(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the last `count` calendar months, oldest first, this month last."""
    today = today or datetime.datetime.now(LOCAL).date()
    months, year, month = [], today.year, today.month
    for _step in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def appeal_months(*, viewer, area: Area, months: list[datetime.date]) -> list[dict]:
    """The rollup counters of each month under a node, oldest first: one row per month
    of `months` as {"month": date, counter: n, ...}, zeros where nothing was received.
    The monthly rows serve a node the viewer sees whole (as `rates`); anything else is
    counted from the cases, one grouped query either way."""
    first, last = months[0], months[-1]
    if _use_rollup(viewer, area):
        stats = AppealMonthStat.objects.filter(month__gte=first, month__lte=last)
        if area.level == Area.Level.COMMUNITY:
            stats = stats.filter(community=area)
        elif area.level == Area.Level.STREET:
            stats = stats.filter(street=area)
        else:
            streets = Area.objects.filter(level=Area.Level.STREET, path__startswith=area.path)
            stats = stats.filter(street__in=streets.values("pk"))
        rows = stats.values("month").annotate(**{n: Sum(n) for n in rollup.COUNTERS})
        by_month = {row["month"]: row for row in rows}
    else:
        from django.db.models.functions import TruncMonth

        start = month_bounds(first.year, first.month)[0]
        end = month_bounds(last.year, last.month)[1]
        rows = (
            _cases_under(viewer, area, start, end)
            .annotate(month_start=TruncMonth("received_at", tzinfo=LOCAL))
            .values("month_start")
            .annotate(**_raw_aggregates())
            .order_by()
        )
        by_month = {rollup._as_date(row["month_start"]): row for row in rows}
    return [
        {"month": m, **{n: (by_month.get(m) or {}).get(n) or 0 for n in rollup.COUNTERS}}
        for m in months
    ]


def appeal_category_counts(*, viewer, area: Area, since: datetime.date) -> list[dict]:
    """Cases received under a node since the first day of a month, by category, most
    first: [{"code", "name", "count"}]. A street or above that the viewer sees whole reads
    the category rows beside the monthly counters (appeals.rollup), with the few cases
    those leave out (waiting for `process-intake`, or for a place) counted from the cases;
    anything else (a community's year is a few hundred cases) is counted from the cases."""
    start = datetime.datetime.combine(since, datetime.time(), tzinfo=LOCAL)
    end = datetime.datetime.now(LOCAL) + datetime.timedelta(days=1)
    cases = _cases_under(viewer, area, start, end)
    counts: dict[tuple[str, str], int] = {}
    if area.level != Area.Level.COMMUNITY and _use_rollup(viewer, area):
        stats = _category_stats_under(area).filter(month__gte=since)
        rows = (
            stats.values("category__code", "category__name")
            .annotate(n=Sum("received"))
            .order_by()
            .union(
                cases.filter(rollup.NOT_COUNTED)
                .values("category__code", "category__name")
                .annotate(n=Count("id"))
                .order_by(),
                all=True,
            )
        )
    else:
        rows = list(cases.values("category__code", "category__name").annotate(n=Count("id")))
    for row in rows:
        key = (row["category__code"], row["category__name"])
        counts[key] = counts.get(key, 0) + row["n"]
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return [{"code": code, "name": name, "count": n} for (code, name), n in ordered if n]


def _category_stats_under(area: Area) -> QuerySet[AppealCategoryMonthStat]:
    stats = AppealCategoryMonthStat.objects.all()
    if area.level == Area.Level.STREET:
        return stats.filter(street=area)
    streets = Area.objects.filter(level=Area.Level.STREET, path__startswith=area.path)
    return stats.filter(street__in=streets.values("pk"))


def appeal_open_by_child(*, viewer, area: Area, length: int) -> dict[str, dict[str, int]]:
    """Open and overdue cases per child of a node (the child's code read off each case's
    area path; cases placed at the node itself under ""), children without open cases
    left out: {child code: {"open": n, "overdue": n}}. A node the viewer sees whole reads
    the open counters (appeals.open_rollup); anything else is one grouped query over the
    viewer's cases."""
    if scope_for(viewer).covers_subtree(Appeal, area.path):
        return open_rollup.by_child(area.path, length)
    key = ("appeals_open_counted", viewer.pk, area.path, length)
    return memoized(key, lambda: _open_counted(viewer, area, length))


def _open_counted(viewer, area: Area, length: int) -> dict[str, dict[str, int]]:
    from django.db.models.functions import Substr

    rows = (
        appeal_list(viewer=viewer, area=area, state="open")
        .annotate(child_code=Substr("area__path", len(area.path) + 1, length))
        .values("child_code")
        .annotate(open=Count("id"), overdue=Count("id", filter=open_rollup.OVERDUE))
        .order_by()
    )
    return {r["child_code"]: {"open": r["open"], "overdue": r["overdue"]} for r in rows}

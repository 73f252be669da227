"""Reads of appeals for supervision: the cases of a district grouped by street, category
and channel (the case mix behind the fair ranking, docs/appeals-case-mix.md), and where
disputes and repeated appeals concentrate (a weak-org rule). Grouped queries over the
cases, never a row per case; figures about the subject, not about a viewer (who may
see them is decided where they are shown)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from jiceng.appeals import rollup
from jiceng.appeals.models import Appeal
from jiceng.appeals.selectors import LOCAL
from jiceng.core.models import Area

# The counters the three rates are made of (appeals.selectors.RATES).
MIX_COUNTERS = ("received", "responded_on_time", "rated", "resolved", "satisfied")


def _moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL)


def _cases(area: Area, start: datetime.date, end: datetime.date):
    cases = Appeal.objects.filter(
        received_at__gte=_moment(start), received_at__lt=_moment(end), routing_pending=False
    )
    if area.level == Area.Level.STREET:
        return cases.filter(street=area)
    if area.level == Area.Level.COMMUNITY:
        return cases.filter(community=area)
    streets = Area.objects.filter(level=Area.Level.STREET, path__startswith=area.path)
    return cases.filter(street__in=streets.values("pk"))


def case_mix(
    *, area: Area, start: datetime.date, end: datetime.date, by_street: bool
) -> list[dict]:
    """Counters of the cases received in [start, end) under `area`, per (category,
    channel), and per street too with `by_street`: [{"street_id", "category_id",
    "category__name", "channel", "received", ...}]. One grouped query."""
    keys = ["category_id", "category__name", "channel"] + (["street_id"] if by_street else [])
    rows = (
        _cases(area, start, end)
        .values(*keys)
        .annotate(**{name: Count("id", filter=rollup.CONDITIONS[name]) for name in MIX_COUNTERS})
        .order_by()
    )
    return list(rows)


@dataclass
class Concentration:
    """A community's disputes (cases of a mediation category), cases at a place that
    appealed at least `repeats` times in the period, and reopened cases; `cases` counts
    each case once whatever it is."""

    cases: int = 0
    disputes: int = 0
    repeated: int = 0
    reopened: int = 0
    places: list[str] = field(default_factory=list)


def dispute_concentration(
    *, area: Area, start: datetime.date, end: datetime.date, repeats: int
) -> dict[int, Concentration]:
    """{community id: Concentration} for the communities under `area`. A place is the
    case's area and its address as typed (trimmed); cases without an address are not
    counted as repeated, since nothing says they come from the same place."""
    rows = (
        _cases(area, start, end)
        .filter(community__isnull=False)
        .values("community_id", "area_id", "address", "category__is_mediation")
        .annotate(n=Count("id"), reopened=Count("id", filter=Q(reopen_count__gt=0)))
        .order_by()
    )
    per_place: dict[tuple[int, int, str], int] = defaultdict(int)
    for row in rows:
        address = (row["address"] or "").strip()
        if address:
            per_place[(row["community_id"], row["area_id"], address)] += row["n"]
    result: dict[int, Concentration] = defaultdict(Concentration)
    for row in rows:
        address = (row["address"] or "").strip()
        community = row["community_id"]
        item = result[community]
        repeated = bool(address) and per_place[(community, row["area_id"], address)] >= repeats
        dispute = bool(row["category__is_mediation"])
        if dispute:
            item.disputes += row["n"]
        if repeated:
            item.repeated += row["n"]
            if address not in item.places:
                item.places.append(address)
        item.reopened += row["reopened"]
        if dispute or repeated:
            item.cases += row["n"]
        else:
            item.cases += row["reopened"]
    return dict(result)

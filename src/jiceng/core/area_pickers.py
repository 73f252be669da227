"""The areas a form may choose, as a picker (`core.pickers`): those of the levels the
form fixes that the viewer sees and may change, in the tree's order."""

from django.db.models import Q, QuerySet

from jiceng.core.models import Area
from jiceng.core.pickers import Picker, register
from jiceng.core.scope import scope_for

LEVELS = {value for value, _label in Area.Level.choices}


def _levels(params: dict) -> list[str]:
    """`levels` is "street,community": unknown names are dropped, none means all."""
    asked = [v for v in str(params.get("levels", "")).split(",") if v in LEVELS]
    return asked or sorted(LEVELS)


def _candidates(user, params: dict) -> QuerySet[Area]:
    areas = Area.objects.select_related("parent").filter(level__in=_levels(params))
    return scope_for(user).filter(areas).order_by("path")


def _search(areas: QuerySet[Area], q: str) -> QuerySet[Area]:
    return areas.filter(Q(name__icontains=q) | Q(code__startswith=q))


def label(area: Area) -> str:
    """Names repeat across a city (many 新华社区), so the parent's name goes along."""
    where = area.get_level_display()
    if area.parent_id and area.parent:
        return f"{area.name}（{where}，{area.parent.name}）"
    return f"{area.name}（{where}）"


def _allowed(user, area: Area) -> bool:
    from jiceng.core.access import can_manage_area

    return can_manage_area(user, area)


def register_pickers() -> None:
    register(
        Picker(
            name="manageable-areas",
            candidates=_candidates,
            search=_search,
            label=label,
            allowed=_allowed,
            params=("levels",),
        )
    )

"""What a token or subscription is bound to, as pickers (`core.pickers`).

- "integration-areas": the districts whose systems the viewer manages and their
  streets, in the tree's order.
- "integration-units": the active handling units in those districts
  (`selectors.unit_choices`); the service checks the unit lies in the area chosen.
"""

from django.db.models import Q, QuerySet

from jiceng.appeals.models import HandlingUnit
from jiceng.appeals.pickers import unit_label
from jiceng.core.area_pickers import label
from jiceng.core.models import Area
from jiceng.core.pickers import Picker, register

LEVELS = (Area.Level.DISTRICT, Area.Level.STREET)


def _candidates(user, params: dict) -> QuerySet[Area]:
    from jiceng.integrations.selectors import managed_districts

    condition = Q(pk__in=[])
    for district in managed_districts(viewer=user):
        condition |= Q(path__startswith=district.path)
    areas = Area.objects.select_related("parent").filter(condition, level__in=LEVELS)
    return areas.order_by("path")


def _search(areas: QuerySet[Area], q: str) -> QuerySet[Area]:
    return areas.filter(Q(name__icontains=q) | Q(code__startswith=q))


def _units(user, params: dict) -> QuerySet[HandlingUnit]:
    from jiceng.integrations.selectors import managed_districts, unit_choices

    return unit_choices(viewer=user, districts=managed_districts(viewer=user))


def _search_units(units: QuerySet[HandlingUnit], q: str) -> QuerySet[HandlingUnit]:
    # A handling unit has a name only (no credit code): the name is what is typed.
    return units.filter(name__icontains=q)


def register_pickers() -> None:
    register(Picker(name="integration-areas", candidates=_candidates, search=_search, label=label))
    register(
        Picker(name="integration-units", candidates=_units, search=_search_units, label=unit_label)
    )

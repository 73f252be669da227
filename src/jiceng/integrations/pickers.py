"""The places a token or subscription may be bound to, as a picker (`core.pickers`): the
districts whose systems the viewer manages and their streets, in the tree's order."""

from django.db.models import Q, QuerySet

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


def register_pickers() -> None:
    register(Picker(name="integration-areas", candidates=_candidates, search=_search, label=label))

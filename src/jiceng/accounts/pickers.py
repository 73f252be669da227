"""Where the account form grants a role, as pickers (`core.pickers`): the areas
(buildings excepted) and the open party orgs the viewer sees and manages, in the
tree's order. The service checks the role's level and the granter's territory again."""

from django.db.models import Q, QuerySet

from jiceng.core.area_pickers import label as area_label
from jiceng.core.pickers import Picker, register


def _areas(user, params: dict) -> QuerySet:
    from jiceng.accounts.selectors import areas_to_grant

    return areas_to_grant(viewer=user).select_related("parent")


def _search_areas(areas: QuerySet, q: str) -> QuerySet:
    return areas.filter(Q(name__icontains=q) | Q(code__startswith=q))


def _area_allowed(user, area) -> bool:
    from jiceng.core.access import can_manage_area

    return can_manage_area(user, area)


def _orgs(user, params: dict) -> QuerySet:
    from jiceng.accounts.selectors import orgs_to_grant

    return orgs_to_grant(viewer=user)


def _search_orgs(orgs: QuerySet, q: str) -> QuerySet:
    return orgs.filter(name__icontains=q)


def _org_allowed(user, org) -> bool:
    from jiceng.orgs.access import can_manage_org

    return can_manage_org(user, org)


def register_pickers() -> None:
    register(
        Picker(
            name="grantable-areas",
            candidates=_areas,
            search=_search_areas,
            label=area_label,
            allowed=_area_allowed,
        )
    )
    register(
        Picker(
            name="grantable-orgs",
            candidates=_orgs,
            search=_search_orgs,
            label=lambda org: org.name,
            allowed=_org_allowed,
        )
    )

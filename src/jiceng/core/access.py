"""Write permissions that follow from the scope: who may change what.

Reading is `core.scope`; writing needs, in addition, a staff role whose territory
contains the target. `actor=None` is the system (management commands, the demo), which
an operator runs with shell access to the server.
"""

from jiceng.core.errors import NotFound, PermissionDenied
from jiceng.core.models import Area
from jiceng.core.scope import scope_for

# Roles that change the territory and the registries in it.
MANAGING_ROLES = frozenset({"city_admin", "district_admin", "street_staff", "community_secretary"})


def can_manage_area(user, area: Area) -> bool:
    if user is None:
        return True
    scope = scope_for(user)
    if scope.everything:
        return True
    return any(
        g.role in MANAGING_ROLES and g.area_path and area.path.startswith(g.area_path)
        for g in scope.grants
    )


def require_manage_area(user, area: Area) -> None:
    """404 when the area is out of sight, 403 when visible but not manageable."""
    if can_manage_area(user, area):
        return
    if user is not None and scope_for(user).contains(area):
        raise PermissionDenied()
    raise NotFound()


def get_area_for_view(user, area_id) -> Area:
    return scope_for(user).get(Area.objects.select_related("parent"), pk=area_id)


def get_area_for_manage(user, area_id) -> Area:
    area = scope_for(user).get(Area.objects.all(), pk=area_id) if user else _get(area_id)
    require_manage_area(user, area)
    return area


def _get(area_id) -> Area:
    try:
        return Area.objects.get(pk=area_id)
    except (Area.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None

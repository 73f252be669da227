"""Write permissions that follow from the scope: who may change what.

Reading is `core.scope`; writing needs, in addition, a staff role whose territory
contains the target. `actor=None` is the system (management commands, the demo), which
an operator runs with shell access to the server.
"""

from django.db.models import Model

from jiceng.core.errors import NotFound, PermissionDenied
from jiceng.core.models import Area
from jiceng.core.roles import MANAGING_ROLES  # noqa: F401  (re-exported for the apps)
from jiceng.core.scope import scope_for


def require(user, obj: Model, allowed: bool) -> None:
    """The one refusal every app's `require_*` uses: nothing when `allowed`; 403 when
    the viewer can see `obj` but may not act on it; 404 when `obj` is out of sight, the
    same answer as for an object that does not exist (nothing leaks about it)."""
    if allowed:
        return
    if user is not None and scope_for(user).contains(obj):
        raise PermissionDenied()
    raise NotFound()


def can_manage_area(user, area: Area) -> bool:
    if user is None:
        return True
    scope = scope_for(user)
    if scope.everything:
        return True
    return any(area.path.startswith(path) for path in scope.managed_area_paths())


def require_manage_area(user, area: Area) -> None:
    """404 when the area is out of sight, 403 when visible but not manageable."""
    require(user, area, can_manage_area(user, area))


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

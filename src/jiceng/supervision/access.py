"""Who may act in supervision. Reading is core.scope (and, for pending candidates and
unconfirmed ratings, selectors.pending_visible); these predicates decide writes.

- Deciding on weak-org candidates, reviewing, overriding, confirming star ratings and
  running the evaluation belong to the district (区委组织部): staff managing an area at
  district level or above that holds the org.
- A rectification plan, inspections and talks belong to whoever manages the org's
  territory at street level or above (the street's staff plan and check its
  communities; a community does not inspect itself)."""

from jiceng.core.access import require
from jiceng.core.errors import NotFound
from jiceng.core.models import Area
from jiceng.core.scope import scope_for

# An area's path holds one "code/" per level: city 1, district 2, street 3.
DISTRICT_DEPTH = 2
STREET_DEPTH = 3


def _manages_at(user, area: Area, depth: int) -> bool:
    if user is None:
        return True
    scope = scope_for(user)
    if scope.everything:
        return True
    return any(
        area.path.startswith(path) and path.count("/") <= depth
        for path in scope.managed_area_paths()
    )


def can_decide(user, area: Area) -> bool:
    """The district decides: candidates, reviews, overrides, star ratings."""
    return _manages_at(user, area, DISTRICT_DEPTH)


def can_supervise(user, area: Area) -> bool:
    """The street or above: rectification plans, inspections, talks."""
    return _manages_at(user, area, STREET_DEPTH)


def can_decide_case(user, case) -> bool:
    return can_decide(user, case.org.area)


def can_plan_case(user, case) -> bool:
    return can_supervise(user, case.org.area)


def can_supervise_org(user, org) -> bool:
    return can_supervise(user, org.area)


def can_supervise_record(user, record) -> bool:
    return can_supervise(user, record.org.area)


def can_decide_rating(user, rating) -> bool:
    return can_decide(user, rating.org.area)


def require_decide(user, area: Area) -> None:
    require(user, area, can_decide(user, area))


def locked(user, model, pk, *related):
    """The row locked for a write, scoped: out of sight is 404 like a missing one."""
    queryset = model.objects.select_for_update(of=("self",)).select_related(*related)
    if user is None:
        try:
            return queryset.get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
    return scope_for(user).get(queryset, pk=pk)


def can_configure(user) -> bool:
    """The rules and star criteria are the deployment's: district staff or above."""
    if user is None:
        return True
    scope = scope_for(user)
    return scope.everything or any(
        path.count("/") <= DISTRICT_DEPTH for path in scope.managed_area_paths()
    )


def require_configure(user) -> None:
    from jiceng.core.errors import PermissionDenied

    if not can_configure(user):
        raise PermissionDenied()

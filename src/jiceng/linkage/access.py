"""Who may act in dispatch and notification. Reading is core.scope (a dispatch is seen
where its sender sits and above; a recipient's row, receipt and report where the
recipient sits and above); these predicates decide writes.

- Sending, withdrawing, closing, reviewing reports, chasing and the bulletin belong to
  the sender: those holding a managing role (core.roles) at the sender's own area. A
  district sees what its streets sent but does not act on it.
- A department (a handling unit of kind department serving a district or a street)
  sends from the area it serves; its staff (appeals' handler memberships) act on its
  dispatches, and no one else does — the district sees them but does not act on them.
- Acknowledging and reporting belong to the recipient: those holding a managing role at
  the recipient area (or, for an org, an org-managing role at that org, or a managing
  role at the area the org sits in: a community's staff answer for its orgs).

`actor=None` is the system (the demo, commands)."""

from django.db.models import Q

from jiceng.appeals.models import HandlerMembership, HandlingUnit
from jiceng.appeals.own_work import units_of
from jiceng.core.access import require
from jiceng.core.models import Area
from jiceng.core.roles import MANAGING_ROLES, ORG_MANAGING_ROLES, Role
from jiceng.core.scope import scope_for
from jiceng.linkage.models import Dispatch, Recipient

# The levels that send down; a department sends from the one it serves.
SENDER_LEVELS = (Area.Level.DISTRICT, Area.Level.STREET)


# An area's path holds one "code/" per level: district 2, street 3, community 4.
SENDER_DEPTHS = (2, 3)
RECIPIENT_DEPTHS = (3, 4)


def _managing_paths(user) -> set[str]:
    scope = scope_for(user)
    return {g.area_path for g in scope.grants if g.role in MANAGING_ROLES and g.area_path}


def _at(paths: set[str], depths: tuple[int, ...]) -> set[str]:
    # A city sends and receives nothing; a grid receives nothing: no query for them.
    return {p for p in paths if p.count("/") in depths}


def can_send_from(user, area: Area) -> bool:
    if area.level not in SENDER_LEVELS:
        return False
    if user is None or scope_for(user).everything:
        return True
    return area.path in _managing_paths(user)


def sender_areas(user) -> list[Area]:
    """The areas `user` may send from (none for most roles; a superuser: every district
    and street)."""
    scope = scope_for(user)
    queryset = Area.objects.filter(level__in=SENDER_LEVELS).order_by("path")
    if scope.everything:
        return list(queryset)
    paths = _managing_paths(user)
    if not paths:
        return []
    return list(queryset.filter(path__in=paths))


def _sending_department(unit: HandlingUnit | None) -> bool:
    return (
        unit is not None
        and unit.kind == HandlingUnit.Kind.DEPARTMENT
        and unit.area.level in SENDER_LEVELS
    )


def can_send_for(user, department: HandlingUnit | None) -> bool:
    """Whether `user` sends for `department`: one of its staff (an open handler
    membership), the system, or a superuser."""
    if not _sending_department(department):
        return False
    if user is None or scope_for(user).everything:
        return True
    return HandlerMembership.objects.filter(
        unit=department, user=user, ended_at__isnull=True
    ).exists()


def sender_departments(user) -> list[HandlingUnit]:
    """The departments `user` sends for (none for most roles)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    scope = scope_for(user)
    if not scope.everything and Role.DEPARTMENT_STAFF not in scope.roles:
        return []
    queryset = HandlingUnit.objects.filter(
        kind=HandlingUnit.Kind.DEPARTMENT, is_active=True, area__level__in=SENDER_LEVELS
    ).select_related("area")
    if not scope.everything:
        queryset = queryset.filter(pk__in=units_of(user.pk))
    return list(queryset.order_by("area__path", "name"))


def can_start_from(user, area: Area) -> bool:
    """Whether `user` may draft from `area`: as the area, or for a department serving it."""
    if can_send_from(user, area):
        return True
    return any(d.area_id == area.pk for d in sender_departments(user))


def can_manage_dispatch(user, dispatch: Dispatch) -> bool:
    if dispatch.sender_department_id is not None:
        return can_send_for(user, dispatch.sender_department)
    return can_send_from(user, dispatch.sender_area)


def require_manage_dispatch(user, dispatch: Dispatch) -> None:
    require(user, dispatch, can_manage_dispatch(user, dispatch))


def can_answer(user, recipient: Recipient) -> bool:
    if user is None or scope_for(user).everything:
        return True
    scope = scope_for(user)
    areas = _managing_paths(user)
    if recipient.area_id is not None:
        return recipient.area.path in areas
    org = recipient.org
    orgs = {g.org_path for g in scope.grants if g.role in ORG_MANAGING_ROLES and g.org_path}
    return org.path in orgs or org.area.path in areas


def require_answer(user, recipient: Recipient) -> None:
    require(user, recipient, can_answer(user, recipient))


def answerable_q(user) -> Q | None:
    """The recipients `user` answers for, as a filter (None: none; Q() everything)."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    areas = _at(_managing_paths(user), RECIPIENT_DEPTHS)
    orgs = {g.org_path for g in scope.grants if g.role in ORG_MANAGING_ROLES and g.org_path}
    if not areas and not orgs:
        return None
    condition = Q(pk__in=[])
    if areas:
        condition |= Q(area__path__in=areas) | Q(org__area__path__in=areas)
    if orgs:
        condition |= Q(org__path__in=orgs)
    return condition


def sending_q(user) -> Q | None:
    """The dispatches `user` acts on as sender, as a filter."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    condition = None
    paths = _at(_managing_paths(user), SENDER_DEPTHS)
    if paths:
        # The area's own sends; its departments' are theirs to act on.
        condition = Q(
            sender_area__path__in=paths,
            sender_area__level__in=SENDER_LEVELS,
            sender_department__isnull=True,
        )
    if Role.DEPARTMENT_STAFF in scope.roles and user.pk is not None:
        departments = Q(sender_department__in=units_of(user.pk))
        condition = departments if condition is None else condition | departments
    return condition

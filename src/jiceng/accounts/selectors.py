"""Reads of accounts and their roles, limited to what the viewer administers."""

from django.db.models import Q, QuerySet

from jiceng.accounts.models import RoleAssignment
from jiceng.core.scope import scope_for


def assignment_list(*, viewer, role: str | None = None) -> QuerySet[RoleAssignment]:
    """Open role assignments anchored inside the territory the viewer manages: on an
    area under one of their managing grants, or on an org located there."""
    scope = scope_for(viewer)
    assignments = RoleAssignment.objects.filter(revoked_at__isnull=True).select_related(
        "user", "area", "org", "org__area"
    )
    if not scope.everything:
        condition = Q(pk__in=[])
        for path in scope.managed_area_paths():
            condition |= Q(area__path__startswith=path)
            condition |= Q(org__area__path__startswith=path)
        assignments = assignments.filter(condition)
    if role:
        assignments = assignments.filter(role=role)
    return assignments.order_by("area__path", "org__path", "user__username")


def can_administer_accounts(viewer) -> bool:
    scope = scope_for(viewer)
    return scope.manages_territory


def own_assignment_list(*, viewer) -> QuerySet[RoleAssignment]:
    """The viewer's own open role assignments with their anchors: a person always sees
    the roles they hold, whatever their scope."""
    return (
        RoleAssignment.objects.filter(user=viewer, revoked_at__isnull=True)
        .select_related("area", "org")
        .order_by("id")
    )

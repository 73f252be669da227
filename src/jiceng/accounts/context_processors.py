from jiceng.core.ledgers import ledgers_for
from jiceng.core.scope import ALL_KINDS, KIND_AUDIT, scope_for


def roles(request) -> dict:
    """The signed-in user's roles and the kinds of object they may see, for navigation.

    `user_has_territory`: the user's roles are bound to places (块), so pages that start
    from a place (coverage, grids, the big committee) have somewhere to start; a unit
    org secretary's role is bound to an org only. `user_manages_territory`: a role that
    registers orgs, units, grids and committees in that territory. The appeals
    section's own pages are decided by `appeals.selectors.appeal_sections`."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    kinds = (
        ALL_KINDS if scope.everything else frozenset(k for k in ALL_KINDS if scope.can_see_kind(k))
    )
    return {
        "user_roles": scope.roles,
        "user_scope": scope,
        "user_kinds": kinds,
        "user_has_territory": scope.everything or bool(scope.area_roots()),
        "user_manages_territory": scope.manages_territory,
        "user_can_audit": scope.can_see_kind(KIND_AUDIT),
        # The ledgers (台账) the apps registered whose kind the user's roles see.
        "user_has_ledgers": bool(ledgers_for(scope)) if not scope.is_empty else False,
    }

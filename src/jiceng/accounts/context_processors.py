from jiceng.core.scope import ALL_KINDS, KIND_AUDIT, scope_for


def roles(request) -> dict:
    """The signed-in user's roles and the kinds of object they may see, for navigation."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    kinds = (
        ALL_KINDS if scope.everything else frozenset(k for k in ALL_KINDS if scope.can_see_kind(k))
    )
    return {
        "user_roles": scope.roles,
        "user_scope": scope,
        "user_kinds": kinds,
        "user_can_audit": scope.can_see_kind(KIND_AUDIT),
    }

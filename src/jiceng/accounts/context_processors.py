from jiceng.core.scope import scope_for


def roles(request) -> dict:
    """The signed-in user's roles, for the navigation bar."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {"user_roles": scope.roles, "user_scope": scope}

from jiceng.core.scope import scope_for


def systems(request) -> dict:
    """`user_manages_systems`: the navigation shows 系统对接 to those who manage a whole
    district (or more), who alone make tokens and subscriptions and import work orders."""
    scope = scope_for(getattr(request, "user", None))
    # A district's path is "city/district/": two segments.
    manages = scope.everything or any(path.count("/") <= 2 for path in scope.managed_area_paths())
    return {"user_manages_systems": manages}

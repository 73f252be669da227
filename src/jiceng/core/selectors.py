"""Reads of the territory tree, scoped."""

from django.db.models import QuerySet

from jiceng.core.models import Area
from jiceng.core.scope import scope_for


def area_list(
    *, viewer, parent: Area | None = None, level: str | None = None, q: str | None = None
) -> QuerySet[Area]:
    areas = scope_for(viewer).filter(Area.objects.all())
    if parent is not None:
        areas = areas.filter(parent=parent)
    if level:
        areas = areas.filter(level=level)
    if q:
        areas = areas.filter(name__icontains=q) | areas.filter(code__startswith=q)
    return areas.order_by("path")


def area_children(*, viewer, area: Area) -> QuerySet[Area]:
    return area_list(viewer=viewer, parent=area)


def area_roots(*, viewer) -> list[Area]:
    """The top visible areas: each area grant's own node (the user's home territory)."""
    scope = scope_for(viewer)
    if scope.everything:
        return list(Area.objects.filter(parent__isnull=True).order_by("path"))
    roots = scope.area_roots()
    if not roots or not scope.can_see_kind("area"):
        return []
    # Drop roots nested under another root of the same user.
    roots = sorted(set(roots))
    tops = [p for p in roots if not any(p != o and p.startswith(o) for o in roots)]
    return list(Area.objects.filter(path__in=tops).order_by("path"))


def area_breadcrumb(*, viewer, area: Area) -> list[Area]:
    """Ancestors of `area` that the viewer can see, root first, ending with `area`."""
    codes = area.ancestor_codes()
    chain = {a.code: a for a in scope_for(viewer).filter(Area.objects.filter(code__in=codes))}
    return [chain[c] for c in codes if c in chain]

"""Home per role and the drill-down through the territory."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiceng.core.access import get_area_for_view
from jiceng.core.models import Area
from jiceng.core.rollups import reading
from jiceng.core.scope import scope_for
from jiceng.core.selectors import area_breadcrumb, area_roots
from jiceng.dashboard.selectors import level_counts, overview
from jiceng.dashboard.workbench import workbench_context
from jiceng.orgs.selectors import org_list


def _area_context(viewer, area) -> dict:
    figures, rows, columns = overview(viewer=viewer, area=area)
    return {
        "area": area,
        "level_labels": [
            (level, label)
            for level, label in Area.Level.choices
            if Area.LEVEL_ORDER.index(level) > Area.LEVEL_ORDER.index(area.level)
        ],
        "breadcrumb": area_breadcrumb(viewer=viewer, area=area),
        "levels": level_counts(viewer=viewer, area=area),
        "figures": figures,
        "rows": rows,
        "columns": columns,
    }


@login_required
@reading()  # the workbench's and the figures' rollup reads once (the overdue by child)
def home(request):
    """Territory staff see their area at a glance; org-bound roles see their orgs;
    residents see their community and how to raise a matter."""
    user = request.user
    scope = scope_for(user)
    roots = area_roots(viewer=user)
    workbench = workbench_context(viewer=user)
    if len(roots) == 1 and scope.can_see_kind("unit"):
        context = _area_context(user, roots[0]) | {"home": True} | workbench
        return render(request, "dashboard/area.html", context)
    context = workbench | {
        "roots": [(root, overview(viewer=user, area=root)[0]) for root in roots],
        "orgs": list(org_list(viewer=user)[:20]) if scope.org_roots() else [],
        "is_resident": "resident" in scope.roles,
        "is_member": "member" in scope.roles,
        "no_roles": scope.is_empty,
    }
    return render(request, "dashboard/home.html", context)


@login_required
def area(request, pk: int):
    area = get_area_for_view(request.user, pk)
    return render(request, "dashboard/area.html", _area_context(request.user, area))

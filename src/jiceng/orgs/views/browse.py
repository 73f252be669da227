"""Pages of the org tree, the unit registry and coverage (两个覆盖)."""

import datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiceng.core.access import get_area_for_view
from jiceng.core.scope import KIND_UNIT, scope_for
from jiceng.core.selectors import area_breadcrumb, area_roots
from jiceng.orgs import exports
from jiceng.orgs.access import (
    can_manage_org,
    can_manage_unit,
    get_org_for_view,
    get_unit_for_view,
)
from jiceng.orgs.models import Unit
from jiceng.orgs.sections import file_sections
from jiceng.orgs.selectors import (
    COVERAGE_FILTERS,
    coverage_by_child,
    coverage_summary,
    new_unit_since,
    org_children,
    org_covered_units,
    org_own_unit,
    org_roots,
    unit_register,
)

COVERAGE_LABELS = {
    "own": "单独建立党组织",
    "joint": "联合党组织覆盖",
    "uncovered": "未覆盖",
    "must_form": "应单独组建",
    "new_uncovered": "新登记未覆盖",
}


def _area_param(request):
    value = request.GET.get("area")
    return get_area_for_view(request.user, value) if value else None


@login_required
def org_tree(request):
    area = _area_param(request)
    roots = org_roots(viewer=request.user, area=area)[:200]
    return render(request, "orgs/org_tree.html", {"roots": roots, "area": area})


@login_required
def org_children_partial(request, pk: int):
    org = get_org_for_view(request.user, pk)
    children = org_children(viewer=request.user, org=org)
    return render(request, "orgs/partials/org_children.html", {"children": children})


@login_required
def org_detail(request, pk: int):
    org = get_org_for_view(request.user, pk)
    context = {
        "org": org,
        "children": org_children(viewer=request.user, org=org),
        "covered_units": org_covered_units(viewer=request.user, org=org),
        "own_unit": org_own_unit(viewer=request.user, org=org),
        "can_manage": org.is_open and can_manage_org(request.user, org),
        "file_sections": file_sections(viewer=request.user, org=org),
    }
    return render(request, "orgs/org_detail.html", context)


@login_required
def unit_list_view(request):
    if not scope_for(request.user).can_see_kind(KIND_UNIT):
        raise Http404
    area = _area_param(request)
    coverage = request.GET.get("coverage") or None
    if coverage not in (None, *COVERAGE_FILTERS):
        coverage = None
    units = unit_register(
        viewer=request.user,
        area=area,
        coverage=coverage,
        kind=request.GET.get("kind") or None,
        q=(request.GET.get("q") or "").strip() or None,
    )
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "area": area,
        "coverage": coverage,
        "coverage_choices": [(k, COVERAGE_LABELS[k]) for k in COVERAGE_FILTERS],
        "kinds": Unit.Kind.choices,
        "params": request.GET,
    }
    template = "orgs/partials/unit_rows.html" if request.htmx else "orgs/unit_list.html"
    return render(request, template, context)


@login_required
def unit_detail(request, pk: int):
    unit = get_unit_for_view(request.user, pk)
    context = {
        "unit": unit,
        "can_manage": can_manage_unit(request.user, unit),
        "follow_up_until": unit.registered_at + datetime.timedelta(days=settings.NEW_UNIT_DAYS),
        "is_new": unit.registered_at >= new_unit_since(),
    }
    return render(request, "orgs/unit_detail.html", context)


def _coverage_area(request):
    area = _area_param(request)
    if area is None:
        roots = area_roots(viewer=request.user)
        if not roots:
            raise Http404
        area = roots[0]
    return area


@login_required
def coverage(request):
    if not scope_for(request.user).can_see_kind(KIND_UNIT):
        raise Http404
    area = _coverage_area(request)
    context = {
        "area": area,
        "breadcrumb": area_breadcrumb(viewer=request.user, area=area),
        "summary": coverage_summary(viewer=request.user, area=area),
        "children": coverage_by_child(viewer=request.user, area=area),
    }
    return render(request, "orgs/coverage.html", context)


@login_required
def coverage_export(request):
    if not scope_for(request.user).can_see_kind(KIND_UNIT):
        raise Http404
    area = _coverage_area(request)
    content, _count = exports.coverage_export(actor=request.user, area=area)
    filename = f"两个覆盖-{area.name}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"coverage.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response

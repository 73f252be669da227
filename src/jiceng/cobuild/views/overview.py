"""The co-building overview: the three lists (需求、资源、项目清单) side by side."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiceng.cobuild import selectors
from jiceng.cobuild.models import Need
from jiceng.cobuild.views._common import area_param, require_kind


@login_required
def overview(request):
    require_kind(request.user)
    area = area_param(request)
    status = request.GET.get("status") or Need.Status.OPEN
    context = {
        "area": area,
        "status": status,
        "statuses": Need.Status.choices,
        "needs": selectors.need_list(viewer=request.user, area=area, status=status)[:100],
        "resources": selectors.resource_list(viewer=request.user, area=area)[:100],
        "projects": selectors.project_list(viewer=request.user, area=area)[:100],
    }
    return render(request, "cobuild/overview.html", context)

"""The charts of a node and the big screen (大屏) of a command centre.

Both read `dashboard.charts` (the registered charts, each through its app's selectors);
the big screen then polls the same data from the API (`/api/charts/areas/<id>/screen`)
and redraws in place, without reloading the page.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from jiceng.core.access import get_area_for_view
from jiceng.core.selectors import area_breadcrumb
from jiceng.dashboard.charts import GEOJSON_STATIC, area_charts, screen_data

# Levels whose charts page offers the big screen: a command centre watches a district,
# a street or the city.
SCREEN_LEVELS = ("city", "district", "street")


@login_required
def charts(request, pk: int):
    area = get_area_for_view(request.user, pk)
    data = area_charts(viewer=request.user, area=area, indicator=request.GET.get("indicator"))
    context = {
        "area": area,
        "breadcrumb": area_breadcrumb(viewer=request.user, area=area),
        "geojson": GEOJSON_STATIC,
        "offers_screen": area.level in SCREEN_LEVELS,
        **data,
    }
    return render(request, "dashboard/charts/page.html", context)


@login_required
def screen(request, pk: int):
    area = get_area_for_view(request.user, pk)
    indicator = request.GET.get("indicator")
    data = screen_data(viewer=request.user, area=area, indicator=indicator)
    context = {
        "area": area,
        "data": data,
        "geojson": GEOJSON_STATIC,
        "refresh_seconds": settings.SCREEN_REFRESH_SECONDS,
        "source": reverse("api:chart_screen", args=[area.pk])
        + (f"?indicator={data['indicator_key']}" if data["indicator_key"] else ""),
    }
    return render(request, "dashboard/charts/screen.html", context)

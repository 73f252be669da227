"""The dashboard's charts as JSON: the same data the charts pages and the big screen
draw, read through `dashboard.charts` (each chart through its app's selectors)."""

from django.http import Http404, HttpRequest
from ninja import Router

from jiceng.core.access import get_area_for_view
from jiceng.dashboard import schemas
from jiceng.dashboard.charts import (
    area_charts,
    chart_get,
    indicator_by_child,
    indicator_choice,
    mappable_indicators,
    screen_data,
)

router = Router(tags=["charts 图表"])


@router.get("/indicators", response=list[schemas.IndicatorOut], summary="可按下级区域显示的指标")
def indicators(request: HttpRequest) -> list[dict]:
    return [{"key": i.key, "label": str(i.label)} for i in mappable_indicators(request.user)]


@router.get("/areas/{int:area_id}", response=schemas.AreaChartsOut, summary="区域的全部图表")
def charts(request: HttpRequest, area_id: int, indicator: str | None = None) -> dict:
    """Every chart of the node the viewer may see, and `indicator` (or the default one)
    for each child — a map of the districts at the city of Shanghai."""
    area = get_area_for_view(request.user, area_id)
    return area_charts(viewer=request.user, area=area, indicator=indicator)


@router.get(
    "/areas/{int:area_id}/indicators/{key}",
    response=schemas.ChartOut,
    summary="某一指标按下级区域",
)
def indicator_chart(request: HttpRequest, area_id: int, key: str) -> dict:
    area = get_area_for_view(request.user, area_id)
    chosen = indicator_choice(request.user, key)
    if chosen is None or chosen.key != key:
        raise Http404
    return indicator_by_child(request.user, area, chosen)


@router.get(
    "/areas/{int:area_id}/screen",
    response=schemas.ScreenOut,
    summary="大屏数据",
    url_name="chart_screen",
)
def screen(request: HttpRequest, area_id: int, indicator: str | None = None) -> dict:
    """What the big screen shows, polled by it: headline figures, the charts, the time."""
    area = get_area_for_view(request.user, area_id)
    return screen_data(viewer=request.user, area=area, indicator=indicator)


@router.get("/areas/{int:area_id}/{key}", response=schemas.ChartOut, summary="区域的一张图表")
def chart(request: HttpRequest, area_id: int, key: str) -> dict:
    area = get_area_for_view(request.user, area_id)
    found = chart_get(request.user, area, key)
    if found is None:
        raise Http404
    return found.data(request.user, area)

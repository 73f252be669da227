"""The territory tree in the JSON API: areas, scoped, with breadcrumb and children.

Every lookup goes through `core.access`/`core.selectors`, which go through `core.scope`:
an id outside the viewer's territory answers 404 exactly like a missing one."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from jiceng.core import schemas
from jiceng.core.access import get_area_for_view
from jiceng.core.models import Area
from jiceng.core.selectors import area_breadcrumb, area_children, area_list

router = Router(tags=["areas 区域"])


@router.get("", response=list[schemas.AreaOut], summary="区域列表")
@paginate(LimitOffsetPagination)
def areas(request: HttpRequest, filters: Query[schemas.AreaFilters]) -> QuerySet[Area]:
    """Visible areas, ordered by path so a page is a stable depth-first slice of the tree."""
    parent = get_area_for_view(request.user, filters.parent) if filters.parent else None
    return area_list(
        viewer=request.user,
        parent=parent,
        level=filters.level,
        q=filters.q.strip() if filters.q else None,
    )


@router.get("/{int:area_id}", response=schemas.AreaDetailOut, summary="区域详情")
def area_detail(request: HttpRequest, area_id: int) -> Area:
    area = get_area_for_view(request.user, area_id)
    area.breadcrumb = area_breadcrumb(viewer=request.user, area=area)
    return area


@router.get("/{int:area_id}/children", response=list[schemas.AreaOut], summary="下级区域")
@paginate(LimitOffsetPagination)
def children(request: HttpRequest, area_id: int) -> QuerySet[Area]:
    area = get_area_for_view(request.user, area_id)
    return area_children(viewer=request.user, area=area)

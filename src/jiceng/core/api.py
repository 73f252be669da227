"""The territory in the JSON API: areas, scoped, with breadcrumb and children."""

from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from jiceng.core import schemas
from jiceng.core.access import get_area_for_view
from jiceng.core.selectors import area_breadcrumb, area_children, area_list

router = Router(tags=["areas 区域"])


class AreaFilters(Schema):
    parent: int | None = None
    level: str | None = None
    q: str | None = None


@router.get("", response=list[schemas.AreaOut])
@paginate(LimitOffsetPagination)
def areas(request, filters: Query[AreaFilters]):
    parent = get_area_for_view(request.user, filters.parent) if filters.parent else None
    return area_list(viewer=request.user, parent=parent, level=filters.level, q=filters.q)


@router.get("/{int:area_id}", response=schemas.AreaDetailOut)
def area_detail(request, area_id: int):
    area = get_area_for_view(request.user, area_id)
    area.breadcrumb = area_breadcrumb(viewer=request.user, area=area)
    return area


@router.get("/{int:area_id}/children", response=list[schemas.AreaOut])
@paginate(LimitOffsetPagination)
def children(request, area_id: int):
    area = get_area_for_view(request.user, area_id)
    return area_children(viewer=request.user, area=area)

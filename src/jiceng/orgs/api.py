"""Party orgs, units and coverage in the JSON API; scoped, paginated, filterable."""

from django.db import transaction
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.scope import scope_for
from jiceng.core.selectors import area_roots
from jiceng.orgs import schemas, services
from jiceng.orgs.access import (
    get_org_for_manage,
    get_org_for_view,
    get_unit_for_manage,
    get_unit_for_view,
)
from jiceng.orgs.models import PartyOrg
from jiceng.orgs.selectors import (
    COVERAGE_FILTERS,
    coverage_by_child,
    coverage_summary,
    org_children,
    org_list,
    unit_list,
)

router = Router(tags=["orgs 组织与单位"])


class OrgFilters(Schema):
    area: int | None = None
    parent: int | None = None
    kind: str | None = None
    include_closed: bool = False
    q: str | None = None


@router.get("/orgs", response=list[schemas.OrgOut])
@paginate(LimitOffsetPagination)
def orgs(request, filters: Query[OrgFilters]):
    area = get_area_for_view(request.user, filters.area) if filters.area else None
    parent = get_org_for_view(request.user, filters.parent) if filters.parent else None
    return org_list(
        viewer=request.user,
        area=area,
        parent=parent,
        kind=filters.kind,
        include_closed=filters.include_closed,
        q=filters.q,
    )


@router.get("/orgs/{int:org_id}", response=schemas.OrgOut)
def org_detail(request, org_id: int):
    return get_org_for_view(request.user, org_id)


@router.get("/orgs/{int:org_id}/children", response=list[schemas.OrgOut])
@paginate(LimitOffsetPagination)
def org_children_list(request, org_id: int):
    return org_children(viewer=request.user, org=get_org_for_view(request.user, org_id))


@router.post("/orgs", response={201: schemas.OrgOut})
def org_create(request, payload: schemas.OrgIn):
    area = get_area_for_view(request.user, payload.area)
    parent = get_org_for_view(request.user, payload.parent) if payload.parent else None
    org = services.org_create(
        actor=request.user,
        name=payload.name,
        kind=payload.kind,
        domain=payload.domain,
        form=payload.form,
        area=area,
        parent=parent,
        secretary_name=payload.secretary_name,
        established_on=payload.established_on,
    )
    return Status(201, org)


@router.patch("/orgs/{int:org_id}", response=schemas.OrgOut)
def org_patch(request, org_id: int, payload: schemas.OrgPatch):
    with transaction.atomic():
        org = get_org_for_manage(request.user, org_id)
        return services.org_update(actor=request.user, org=org, **payload.dict(exclude_unset=True))


@router.post("/orgs/{int:org_id}/close", response=schemas.OrgOut)
def org_close(request, org_id: int, payload: schemas.CloseIn):
    with transaction.atomic():
        org = get_org_for_manage(request.user, org_id)
        return services.org_close(
            actor=request.user, org=org, reason=payload.reason, closed_on=payload.closed_on
        )


class UnitFilters(Schema):
    area: int | None = None
    kind: str | None = None
    coverage: str | None = None
    q: str | None = None


@router.get("/units", response=list[schemas.UnitOut])
@paginate(LimitOffsetPagination)
def units(request, filters: Query[UnitFilters]):
    if filters.coverage and filters.coverage not in COVERAGE_FILTERS:
        raise ValidationFailed("覆盖情况筛选无效", field="coverage")
    area = get_area_for_view(request.user, filters.area) if filters.area else None
    return unit_list(
        viewer=request.user, area=area, coverage=filters.coverage, kind=filters.kind, q=filters.q
    )


@router.get("/units/{int:unit_id}", response=schemas.UnitOut)
def unit_detail(request, unit_id: int):
    return get_unit_for_view(request.user, unit_id)


@router.post("/units", response={201: schemas.UnitOut})
def unit_create(request, payload: schemas.UnitIn):
    area = get_area_for_view(request.user, payload.area)
    unit = services.unit_create(
        actor=request.user,
        name=payload.name,
        uscc=payload.uscc,
        kind=payload.kind,
        area=area,
        address=payload.address,
        employees=payload.employees,
        formal_members=payload.formal_members,
    )
    return Status(201, unit)


@router.patch("/units/{int:unit_id}", response=schemas.UnitOut)
def unit_patch(request, unit_id: int, payload: schemas.UnitPatch):
    with transaction.atomic():
        unit = get_unit_for_manage(request.user, unit_id)
        return services.unit_update(
            actor=request.user, unit=unit, **payload.dict(exclude_unset=True)
        )


@router.post("/units/{int:unit_id}/coverage", response=schemas.UnitOut)
def unit_coverage(request, unit_id: int, payload: schemas.CoverageIn):
    with transaction.atomic():
        unit = get_unit_for_manage(request.user, unit_id)
        scope = scope_for(request.user)
        own = scope.get(PartyOrg.objects.all(), pk=payload.own_org) if payload.own_org else None
        covering = (
            scope.get(PartyOrg.objects.all(), pk=payload.covering_org)
            if payload.covering_org
            else None
        )
        return services.unit_set_coverage(
            actor=request.user, unit=unit, own_org=own, covering_org=covering
        )


@router.get("/coverage", response=schemas.CoverageOut)
def coverage(request, area: int | None = None):
    if area:
        node = get_area_for_view(request.user, area)
    else:
        roots = area_roots(viewer=request.user)
        if not roots:
            raise NotFound()
        node = roots[0]
    if not scope_for(request.user).can_see_kind("unit"):
        raise NotFound()
    summary = coverage_summary(viewer=request.user, area=node)
    children = [
        {"area_id": row["area"].pk, "area_name": row["area"].name, **{
            k: row[k] for k in ("total", "own", "joint", "uncovered", "must_form", "new_uncovered")
        }}
        for row in coverage_by_child(viewer=request.user, area=node)
    ]  # fmt: skip
    return {
        "area_id": node.pk,
        "area_name": node.name,
        "total": summary.total,
        "own": summary.own,
        "joint": summary.joint,
        "uncovered": summary.uncovered,
        "must_form": summary.must_form,
        "new_uncovered": summary.new_uncovered,
        "coverage_rate": summary.coverage_rate,
        "children": children,
    }

"""Party orgs, units and coverage in the JSON API: scoped, paginated, filterable.

Reads go through orgs.selectors and orgs.access (both through core.scope), writes through
orgs.services, which check the actor's rights and leave the audit row. An id outside the
viewer's scope answers 404; a visible object the viewer may not change answers 403."""

from dataclasses import asdict

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.models import Area
from jiceng.core.scope import KIND_UNIT, scope_for
from jiceng.core.selectors import area_roots
from jiceng.orgs import schemas, services
from jiceng.orgs.access import (
    get_org_for_manage,
    get_org_for_view,
    get_unit_for_manage,
    get_unit_for_view,
)
from jiceng.orgs.models import PartyOrg, Unit
from jiceng.orgs.selectors import (
    coverage_by_child,
    coverage_summary,
    org_children,
    org_list,
    unit_list,
)

router = Router(tags=["orgs 组织与单位"])

MSG_ORG_AREA_REQUIRED = _("请选择所在区域")
COVERAGE_COUNTS = ("total", "own", "joint", "uncovered", "must_form", "new_uncovered")


# ---- party organizations ---------------------------------------------------------------


@router.get("/orgs", response=list[schemas.OrgOut], summary="党组织列表")
@paginate(LimitOffsetPagination)
def orgs(request: HttpRequest, filters: Query[schemas.OrgFilters]) -> QuerySet[PartyOrg]:
    """Visible orgs ordered by affiliation path: a page is a stable slice of the tree."""
    area = get_area_for_view(request.user, filters.area) if filters.area else None
    parent = get_org_for_view(request.user, filters.parent) if filters.parent else None
    return org_list(
        viewer=request.user,
        area=area,
        parent=parent,
        kind=filters.kind,
        domain=filters.domain,
        include_closed=filters.include_closed,
        q=filters.q.strip() if filters.q else None,
    )


@router.get("/orgs/{int:org_id}", response=schemas.OrgOut, summary="党组织详情")
def org_detail(request: HttpRequest, org_id: int) -> PartyOrg:
    return get_org_for_view(request.user, org_id)


@router.get("/orgs/{int:org_id}/children", response=list[schemas.OrgOut], summary="下级党组织")
@paginate(LimitOffsetPagination)
def org_children_list(request: HttpRequest, org_id: int) -> QuerySet[PartyOrg]:
    return org_children(viewer=request.user, org=get_org_for_view(request.user, org_id))


@router.post("/orgs", response={201: schemas.OrgOut}, summary="新建党组织")
def org_create(request: HttpRequest, payload: schemas.OrgIn) -> Status:
    parent = get_org_for_view(request.user, payload.parent) if payload.parent else None
    if payload.area:
        area = get_area_for_view(request.user, payload.area)
    elif parent is not None:
        # A unit org secretary sees no areas, yet may set up a group in their own branch.
        area = parent.area
    else:
        raise ValidationFailed(MSG_ORG_AREA_REQUIRED, field="area")
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


@router.patch("/orgs/{int:org_id}", response=schemas.OrgOut, summary="修改党组织")
def org_patch(request: HttpRequest, org_id: int, payload: schemas.OrgPatch) -> PartyOrg:
    fields = payload.model_dump(exclude_unset=True, exclude_none=True)
    with transaction.atomic():
        org = get_org_for_manage(request.user, org_id)
        if "area" in fields:
            fields["area"] = get_area_for_view(request.user, fields["area"])
        return services.org_update(actor=request.user, org=org, **fields)


@router.post("/orgs/{int:org_id}/close", response=schemas.OrgOut, summary="撤销党组织")
def org_close(request: HttpRequest, org_id: int, payload: schemas.CloseIn) -> PartyOrg:
    with transaction.atomic():
        org = get_org_for_manage(request.user, org_id)
        return services.org_close(
            actor=request.user, org=org, reason=payload.reason, closed_on=payload.closed_on
        )


# ---- units -------------------------------------------------------------------------------


@router.get("/units", response=list[schemas.UnitOut], summary="驻区单位列表")
@paginate(LimitOffsetPagination)
def units(request: HttpRequest, filters: Query[schemas.UnitFilters]) -> QuerySet[Unit]:
    """Visible open units, ordered by name then id; `coverage` uses the same conditions
    as the coverage figures, so a drill-down from a number lists exactly those units."""
    area = get_area_for_view(request.user, filters.area) if filters.area else None
    return unit_list(
        viewer=request.user,
        area=area,
        coverage=filters.coverage,
        kind=filters.kind,
        q=filters.q.strip() if filters.q else None,
    )


@router.get("/units/{int:unit_id}", response=schemas.UnitOut, summary="驻区单位详情")
def unit_detail(request: HttpRequest, unit_id: int) -> Unit:
    return get_unit_for_view(request.user, unit_id)


@router.post("/units", response={201: schemas.UnitOut}, summary="登记驻区单位")
def unit_create(request: HttpRequest, payload: schemas.UnitIn) -> Status:
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


@router.patch("/units/{int:unit_id}", response=schemas.UnitOut, summary="修改驻区单位")
def unit_patch(request: HttpRequest, unit_id: int, payload: schemas.UnitPatch) -> Unit:
    fields = payload.model_dump(exclude_unset=True, exclude_none=True)
    with transaction.atomic():
        unit = get_unit_for_manage(request.user, unit_id)
        if "area" in fields:
            fields["area"] = get_area_for_view(request.user, fields["area"])
        return services.unit_update(actor=request.user, unit=unit, **fields)


@router.post(
    "/units/{int:unit_id}/coverage", response=schemas.UnitOut, summary="设置单位党组织覆盖"
)
def unit_coverage(request: HttpRequest, unit_id: int, payload: schemas.CoverageIn) -> Unit:
    with transaction.atomic():
        unit = get_unit_for_manage(request.user, unit_id)
        own = get_org_for_view(request.user, payload.own_org) if payload.own_org else None
        covering = (
            get_org_for_view(request.user, payload.covering_org) if payload.covering_org else None
        )
        return services.unit_set_coverage(
            actor=request.user, unit=unit, own_org=own, covering_org=covering
        )


# ---- coverage ----------------------------------------------------------------------------


def _coverage_row(area: Area, counts: dict) -> dict:
    total = counts["total"]
    return {
        "area_id": area.pk,
        "area_name": area.name,
        "area_level": area.level,
        **{name: counts[name] for name in COVERAGE_COUNTS},
        "coverage_rate": (counts["own"] + counts["joint"]) / total if total else None,
    }


@router.get("/coverage", response=schemas.CoverageOut, summary="组织覆盖情况")
def coverage(request: HttpRequest, area: int | None = None) -> dict:
    """Coverage of the units in an area (default: the viewer's first home area) with one
    row per visible child area for drill-down. Roles that see no units get 404."""
    if area:
        node = get_area_for_view(request.user, area)
    else:
        roots = area_roots(viewer=request.user)
        if not roots:
            raise NotFound()
        node = roots[0]
    if not scope_for(request.user).can_see_kind(KIND_UNIT):
        raise NotFound()
    row = _coverage_row(node, asdict(coverage_summary(viewer=request.user, area=node)))
    row["children"] = [
        _coverage_row(child["area"], child)
        for child in coverage_by_child(viewer=request.user, area=node)
    ]
    return row

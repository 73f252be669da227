"""Party orgs, units and coverage in the JSON API: scoped, paginated, filterable.

Reads go through orgs.selectors and orgs.access (both through core.scope), writes through
orgs.services, which check the actor's rights and leave the audit row. An id outside the
viewer's scope answers 404; a visible object the viewer may not change answers 403."""

from dataclasses import asdict

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.excel import MAX_FILE_BYTES, MSG_TOO_BIG
from jiceng.core.jobs_api import JobOut, job_out
from jiceng.core.models import Area
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.scope import KIND_PEOPLE, KIND_UNIT, scope_for
from jiceng.core.selectors import area_roots
from jiceng.orgs import grid_imports, schemas, services, unit_imports
from jiceng.orgs.access import (
    get_committee_for_manage,
    get_committee_for_view,
    get_grid_post_for_manage,
    get_org_for_manage,
    get_org_for_view,
    get_part_time_member_for_manage,
    get_unit_for_manage,
    get_unit_for_view,
)
from jiceng.orgs.errors import OrgErrorCode as Code
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit
from jiceng.orgs.selectors import (
    big_committee_list,
    coverage_by_child,
    coverage_summary,
    grid_post_history,
    org_children,
    org_list,
    part_time_member_history,
    post_candidate,
    unit_list,
)

router = Router(tags=["orgs 组织与单位"])

MSG_ORG_AREA_REQUIRED = _("请选择所在区域")
MSG_PERSON_UNKNOWN = _("请选择本辖区已有账号的人员")
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
        raise ValidationFailed(MSG_ORG_AREA_REQUIRED, field="area", code=Code.ORG_AREA_REQUIRED)
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


# ---- moves ---------------------------------------------------------------------------------


@router.post("/orgs/{int:org_id}/move", response=schemas.OrgOut, summary="调整党组织隶属关系")
def org_move(request: HttpRequest, org_id: int, payload: schemas.OrgMoveIn) -> PartyOrg:
    with transaction.atomic():
        org = get_org_for_manage(request.user, org_id)
        parent = get_org_for_view(request.user, payload.parent) if payload.parent else None
        area = get_area_for_view(request.user, payload.area) if payload.area else None
        return services.org_move(actor=request.user, org=org, parent=parent, area=area)


@router.post("/units/{int:unit_id}/move", response=schemas.UnitOut, summary="驻区单位迁移")
def unit_move(request: HttpRequest, unit_id: int, payload: schemas.UnitMoveIn) -> Unit:
    with transaction.atomic():
        unit = get_unit_for_manage(request.user, unit_id)
        area = get_area_for_view(request.user, payload.area)
        return services.unit_move(actor=request.user, unit=unit, area=area)


# ---- grid posts: grid leaders, grid workers, lane chiefs ------------------------------------


def _grid(request: HttpRequest, grid_id: int) -> Area:
    if not scope_for(request.user).can_see_kind(KIND_PEOPLE):
        raise NotFound()
    return get_area_for_view(request.user, grid_id)


@router.get("/grids/{int:grid_id}/posts", response=list[schemas.GridPostOut], summary="网格人员")
@paginate(LimitOffsetPagination)
def grid_posts(request: HttpRequest, grid_id: int) -> QuerySet[GridPost]:
    """Current and past posts of a grid, current first."""
    return grid_post_history(viewer=request.user, grid=_grid(request, grid_id))


@router.post(
    "/grids/{int:grid_id}/posts",
    response={201: schemas.GridPostOut},
    summary="任命网格长、网格员或街巷长",
)
def grid_post_create(request: HttpRequest, grid_id: int, payload: schemas.GridPostIn) -> Status:
    grid = _grid(request, grid_id)
    person = post_candidate(viewer=request.user, user_id=payload.user)
    if person is None:
        raise ValidationFailed(MSG_PERSON_UNKNOWN, field="user", code=Code.PERSON_UNKNOWN)
    post = services.grid_post_assign(
        actor=request.user,
        grid=grid,
        user=person,
        duty=payload.duty,
        lane=payload.lane,
        started_on=payload.started_on,
    )
    return Status(201, post)


@router.post("/grid-posts/{int:post_id}/end", response=schemas.GridPostOut, summary="网格人员离任")
def grid_post_end(request: HttpRequest, post_id: int, payload: schemas.EndIn) -> GridPost:
    with transaction.atomic():
        post = get_grid_post_for_manage(request.user, post_id)
        return services.grid_post_end(actor=request.user, post=post, ended_on=payload.ended_on)


# ---- big committees and part-time members --------------------------------------------------


@router.get("/committees", response=list[schemas.BigCommitteeOut], summary="大党委列表")
@paginate(LimitOffsetPagination)
def committees(request: HttpRequest) -> QuerySet[BigCommittee]:
    return big_committee_list(viewer=request.user)


@router.post("/committees", response={201: schemas.BigCommitteeOut}, summary="成立大党委")
def committee_create(request: HttpRequest, payload: schemas.BigCommitteeIn) -> Status:
    area = get_area_for_view(request.user, payload.area)
    org = get_org_for_view(request.user, payload.org)
    committee = services.big_committee_create(
        actor=request.user, area=area, org=org, name=payload.name
    )
    return Status(201, committee)


@router.get(
    "/committees/{int:committee_id}/members",
    response=list[schemas.PartTimeMemberOut],
    summary="兼职委员",
)
@paginate(LimitOffsetPagination)
def committee_members(request: HttpRequest, committee_id: int) -> QuerySet[PartTimeMember]:
    committee = get_committee_for_view(request.user, committee_id)
    return part_time_member_history(viewer=request.user, committee=committee)


@router.post(
    "/committees/{int:committee_id}/members",
    response={201: schemas.PartTimeMemberOut},
    summary="增补兼职委员",
)
def committee_member_add(
    request: HttpRequest, committee_id: int, payload: schemas.PartTimeMemberIn
) -> Status:
    committee = get_committee_for_manage(request.user, committee_id)
    unit = get_unit_for_view(request.user, payload.unit) if payload.unit else None
    member = services.part_time_member_add(
        actor=request.user,
        committee=committee,
        name=payload.name,
        source=payload.source,
        unit=unit,
        position=payload.position,
        started_on=payload.started_on,
    )
    return Status(201, member)


@router.post(
    "/part-time-members/{int:member_id}/end",
    response=schemas.PartTimeMemberOut,
    summary="兼职委员离任",
)
def part_time_member_end(
    request: HttpRequest, member_id: int, payload: schemas.EndIn
) -> PartTimeMember:
    with transaction.atomic():
        member = get_part_time_member_for_manage(request.user, member_id)
        return services.part_time_member_end(
            actor=request.user, member=member, ended_on=payload.ended_on
        )


# ---- Excel: units as streets receive them; grids, buildings and addresses ------------------


def _file_bytes(file: UploadedFile) -> bytes:
    if file.size > MAX_FILE_BYTES:
        raise ValidationFailed(MSG_TOO_BIG, field="file", code=Code.FILE_TOO_BIG)
    return file.read()


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from jiceng.orgs.views.imports import xlsx_response

    return xlsx_response(content, filename)


def _notes(report) -> list[dict]:
    return [{"row": row, "text": text} for row, text in report.notes]


@router.post("/units/import", response=schemas.UnitImportOut, summary="Excel 导入驻区单位")
def unit_import(request: HttpRequest, area: Form[int], file: File[UploadedFile]) -> dict:
    """All or nothing: `ok` false with a row-by-row `errors` list writes nothing; the
    same list again creates nothing (`unchanged`)."""
    if not scope_for(request.user).can_see_kind(KIND_UNIT):
        raise NotFound()
    target = get_area_for_view(request.user, area)
    report = unit_imports.unit_import(
        actor=request.user, area=target, data=_file_bytes(file), filename=file.name or ""
    )
    return {
        **{k: getattr(report, k) for k in ("ok", "rows", "created", "unchanged")},
        "errors": [vars(e) for e in report.errors],
        "notes": _notes(report),
        "new_units": [code for _name, code in report.new_units],
        "follow_up_until": report.follow_up_until,
    }


@router.get("/units/import-template", summary="驻区单位导入模板（xlsx）")
def unit_import_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(unit_imports.unit_template(), "驻区单位导入模板.xlsx")


@router.post("/units/exports", response={202: JobOut}, summary="后台导出驻区单位（xlsx）")
def unit_export_job(request: HttpRequest, payload: schemas.UnitExportIn):
    """The visible units (under `area`, or all) in the import template's columns, made
    by a background job as the units page does: poll GET /api/jobs/{id}, fetch GET
    /api/jobs/{id}/result. Audited when the job makes the file."""
    if not scope_for(request.user).can_see_kind(KIND_UNIT):
        raise NotFound()
    node = get_area_for_view(request.user, payload.area) if payload.area else None
    job = unit_imports.unit_export_submit(actor=request.user, area=node)
    return Status(202, job_out(job))


@router.get("/units/export", summary="导出驻区单位（xlsx，与导入模板同列）")
def unit_export(request: HttpRequest, area: int | None = None) -> HttpResponse:
    """The same workbook in the one request (at most the Excel row limit); POST
    /units/exports makes it as a background job."""
    if not scope_for(request.user).can_see_kind(KIND_UNIT):
        raise NotFound()
    node = get_area_for_view(request.user, area) if area else None
    content, _count = unit_imports.unit_export(actor=request.user, area=node)
    return _xlsx(content, "驻区单位.xlsx")


@router.post("/grids/import", response=schemas.GridImportOut, summary="Excel 导入网格、楼栋和地址")
def grid_import(request: HttpRequest, area: Form[int], file: File[UploadedFile]) -> dict:
    target = get_area_for_view(request.user, area)
    report = grid_imports.grid_import(
        actor=request.user, area=target, data=_file_bytes(file), filename=file.name or ""
    )
    return {
        **{
            k: getattr(report, k)
            for k in ("ok", "rows", "grids", "buildings", "addresses", "unchanged")
        },
        "errors": [vars(e) for e in report.errors],
        "notes": _notes(report),
    }


@router.get("/grids/import-template", summary="网格楼栋导入模板（xlsx）")
def grid_import_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(grid_imports.grid_template(), "网格楼栋导入模板.xlsx")

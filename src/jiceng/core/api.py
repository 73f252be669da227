"""The territory tree in the JSON API: areas, scoped, with breadcrumb and children.

Every lookup goes through `core.access`/`core.selectors`, which go through `core.scope`:
an id outside the viewer's territory answers 404 exactly like a missing one."""

import datetime
from typing import TYPE_CHECKING, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiceng.core import schemas
from jiceng.core.access import get_area_for_view
from jiceng.core.inputs import limited_text
from jiceng.core.jobs_api import JobOut, job_out
from jiceng.core.models import Area
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.selectors import (
    AuditFilters,
    area_breadcrumb,
    area_children,
    area_list,
    audit_entry_list,
)
from jiceng.core.services import audit_entry_display

if TYPE_CHECKING:
    from jiceng.accounts.models import User

router = Router(tags=["areas 区域"])


class AuditFilterIn(Schema):
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    person: int | None = None


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
    area.breadcrumb = area_breadcrumb(viewer=request.user, area=area)  # type: ignore[attr-defined]
    return area


@router.get("/{int:area_id}/children", response=list[schemas.AreaOut], summary="下级区域")
@paginate(LimitOffsetPagination)
def children(request: HttpRequest, area_id: int) -> QuerySet[Area]:
    area = get_area_for_view(request.user, area_id)
    return area_children(viewer=request.user, area=area)


audit_router = Router(tags=["audit 审计"])


class AuditEntryOut(Schema):
    """An entry as the audit page shows it (core.services.audit_entry_display)."""

    id: int
    at: datetime.datetime
    actor: str
    action: str
    action_display: str
    target_type: str
    target_id: str
    target_label: str
    changes: str

    @staticmethod
    def resolve_actor(entry) -> str:
        return audit_entry_display(entry)["actor"]

    @staticmethod
    def resolve_action_display(entry) -> str:
        return str(entry.get_action_display())

    @staticmethod
    def resolve_target_label(entry) -> str:
        return audit_entry_display(entry)["target_label"]

    @staticmethod
    def resolve_changes(entry) -> str:
        return audit_entry_display(entry)["changes"]


def _audit_filters(filters: "AuditFilterIn | AuditExportIn") -> AuditFilters:
    return AuditFilters(
        actor=filters.actor,
        action=filters.action,
        target_type=filters.target_type,
        target_id=filters.target_id,
        person=filters.person,
    )


class AuditExportIn(Schema):
    """The audit page's filters, as the body of a background export."""

    actor: limited_text(150) = ""  # type: ignore[valid-type]
    action: limited_text(20, kind="code") = ""  # type: ignore[valid-type]
    target_type: limited_text(60, kind="code") = ""  # type: ignore[valid-type]
    target_id: limited_text(64, kind="code") = ""  # type: ignore[valid-type]
    person: int | None = Field(None, ge=1, le=2**63 - 1)


@audit_router.get("/entries", response=list[AuditEntryOut], summary="审计日志")
@paginate(LimitOffsetPagination)
def audit_entries(request: HttpRequest, filters: Query[AuditFilterIn]):
    """What the audit page shows (auditors, their territory; masked), newest first."""
    return audit_entry_list(viewer=request.user, filters=_audit_filters(filters))


@audit_router.post("/exports", response={202: JobOut}, summary="后台导出审计日志（Excel）")
def audit_export_job(request: HttpRequest, payload: AuditExportIn):
    """The filtered entries as Excel, masked, made by a background job, as the audit
    page's export: poll GET /api/jobs/{id}, fetch GET /api/jobs/{id}/result. Anyone who
    may not read the log is answered 404 now; the export is itself an audit entry."""
    from ninja import Status

    from jiceng.core import services

    actor = cast("User", request.user)
    job = services.audit_export_submit(actor=actor, filters=_audit_filters(payload))
    return Status(202, job_out(job))


@audit_router.get("/export", summary="导出审计日志", response={200: None})
def audit_export(request: HttpRequest, filters: Query[AuditFilterIn]):
    """The filtered entries as Excel, masked, in the one request (at most 50,000 rows);
    POST /exports makes the same file as a background job, as the audit page does. The
    export is itself an audit entry."""
    from urllib.parse import quote

    from django.http import HttpResponse
    from django.utils import timezone

    from jiceng.core import services

    # The API's session authentication admits signed-in accounts only.
    actor = cast("User", request.user)
    content = services.audit_export(actor=actor, filters=_audit_filters(filters))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"audit.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response

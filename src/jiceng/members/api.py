"""Members in the JSON API: the register (masked), audited reveal, transfers, mobile
members, dual reporting with report-back, and the composition statistics."""

from typing import Annotated

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StringConstraints

from jiceng.accounts.schemas import AccountOut
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from jiceng.core.inputs import limited_text, model_text, secret_text
from jiceng.core.jobs_api import JobOut, job_out, result_response
from jiceng.core.models import Job
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.scope import scope_for
from jiceng.core.selectors import job_get
from jiceng.core.uploads import accept_workbook
from jiceng.members import access, schemas, selectors, services
from jiceng.members.errors import MemberErrorCode
from jiceng.members.models import DualReport, Member, Transfer
from jiceng.members.services.jobs import KIND_EXPORT
from jiceng.orgs.access import get_org_for_view

router = Router(tags=["members 党员"])


class MemberFilters(Schema):
    area: int | None = None
    org: int | None = None
    status: str | None = None
    category: str | None = None
    q: str | None = Field(
        None,
        description="已停用：姓名或号码不得出现在网址中，请用 POST /api/members/search",
    )


class MemberSearch(Schema):
    """The register's search, sent in the body so that no name or number reaches an
    access log. A whole ID number or phone is audited as a lookup of whom it finds."""

    q: Annotated[limited_text(100), StringConstraints(min_length=1)]
    area: int | None = None
    org: int | None = None
    status: model_text(Member, "status", kind="code") | None = None
    category: model_text(Member, "category", kind="code") | None = None


MSG_SEARCH_BY_POST = _("姓名或号码不得出现在网址中，请用 POST /api/members/search 查询")


def _node(user, area_id, org_id):
    area = get_area_for_view(user, area_id) if area_id else None
    org = get_org_for_view(user, org_id) if org_id else None
    return area, org


@router.get("", response=list[schemas.MemberOut])
@paginate(LimitOffsetPagination)
def member_list(request, filters: Query[MemberFilters]):
    if filters.q is not None:
        raise ValidationFailed(MSG_SEARCH_BY_POST, field="q", code=MemberErrorCode.SEARCH_BY_POST)
    area, org = _node(request.user, filters.area, filters.org)
    return selectors.member_register(
        viewer=request.user,
        area=area,
        org=org,
        status=filters.status,
        category=filters.category,
    )


@router.post("/search", response=list[schemas.MemberOut], summary="查询党员（按姓名或完整号码）")
@paginate(LimitOffsetPagination)
def member_search(request, payload: MemberSearch):
    area, org = _node(request.user, payload.area, payload.org)
    members = selectors.member_list(
        viewer=request.user,
        area=area,
        org=org,
        status=payload.status,
        category=payload.category,
        q=payload.q,
    )
    field = selectors.lookup_field(payload.q)
    if field is not None:
        services.member_lookup_audit(
            actor=request.user, field=field, query=payload.q, members=list(members[:50])
        )
    return members


@router.get("/statistics", response=list[schemas.StatTableOut])
def statistics(request, area: int | None = None, org: int | None = None):
    node_area, node_org = _node(request.user, area, org)
    return [
        {"name": t.name, "title": t.title, "total": t.total, "rows": t.rows}
        for t in selectors.member_statistics(viewer=request.user, area=node_area, org=node_org)
    ]


@router.get("/mobile/ledger", response=schemas.LedgerOut)
def mobile_ledger(request):
    return selectors.mobile_ledger(viewer=request.user)


@router.get("/me", response=schemas.MemberOut)
def member_me(request):
    """The record linked to the caller's own account (a party member), masked; 404 when
    the account has none. Own dual reports are under /dual-reports, seen by scope."""
    member = selectors.member_own(viewer=request.user)
    if member is None:
        raise NotFound()
    return member


# The states the register export's own routes have answered since before the generic
# jobs (django-tasks' names); GET /api/jobs/{id} answers the same job in core's terms.
_EXPORT_STATES = {
    Job.State.QUEUED: "READY",
    Job.State.RUNNING: "RUNNING",
    Job.State.SUCCEEDED: "SUCCESSFUL",
    Job.State.FAILED: "FAILED",
}


def _export_out(job: Job) -> dict:
    return {
        "id": str(job.pk),
        "status": _EXPORT_STATES[Job.State(job.state)],
        "rows": job.outcome.get("rows") if job.state == Job.State.SUCCEEDED else None,
        "error": job.error_code,
    }


@router.post("/exports", response={202: schemas.ExportJobOut})
def export_submit(request, payload: schemas.ExportIn):
    """Export the register as a job: masked, or with a purpose (party_statistics,
    transfer, election, or other with purpose_note) in full for the records the caller
    keeps, within the daily allowance. Poll GET /exports/{id}; fetch /exports/{id}/file
    (or the same job at GET /api/jobs/{id} and /api/jobs/{id}/result)."""
    area, org = _node(request.user, payload.area, payload.org)
    job = services.member_export_submit(
        actor=request.user,
        area=area,
        org=org,
        purpose=payload.purpose,
        purpose_note=payload.purpose_note,
    )
    return Status(202, _export_out(job))


@router.get("/exports/{job_id}", response=schemas.ExportJobOut)
def export_status(request, job_id: str):
    return _export_out(job_get(viewer=request.user, job_id=job_id[:64], kind=KIND_EXPORT))


@router.get("/exports/{job_id}/file")
def export_file(request, job_id: str):
    """The finished workbook, for the person who asked for it."""
    job = job_get(viewer=request.user, job_id=job_id[:64], kind=KIND_EXPORT)
    if job.state != Job.State.SUCCEEDED:
        raise Conflict(_("导出尚未完成"), code=MemberErrorCode.EXPORT_NOT_READY)
    return result_response(actor=request.user, job=job)


@router.post("/imports", response={202: JobOut}, summary="Excel 导入党员名册（后台任务）")
def import_submit(request, org: Form[int], file: File[UploadedFile]):
    """Import a roster into an org as a job: the file's size and type are checked now
    (an .xlsx of at most 50 MB), the rows by the job, which writes all or none. Poll GET
    /api/jobs/{id}; its result is the report (JSON: counts, per-row errors)."""
    target = get_org_for_view(request.user, org)
    data = accept_workbook(file)
    job = services.member_import_submit(
        actor=request.user, org=target, data=data, filename=file.name or ""
    )
    return Status(202, job_out(job))


@router.get("/me/data-access", response=list[schemas.DataAccessOut])
@paginate(LimitOffsetPagination)
def member_me_data_access(request):
    """Who revealed, exported or looked up the caller's own personal data, newest first."""
    member = selectors.member_own(viewer=request.user)
    if member is None:
        raise NotFound()
    return selectors.member_data_access_pages(viewer=request.user, member=member)


@router.get("/{int:member_id}/data-access", response=list[schemas.DataAccessOut])
@paginate(LimitOffsetPagination)
def member_data_access(request, member_id: int):
    """The same for any member in an auditor's territory."""
    member = access.get_member_for_data_access(request.user, member_id)
    return selectors.member_data_access_pages(viewer=request.user, member=member)


@router.get("/{int:member_id}", response=schemas.MemberOut)
def member_detail(request, member_id: int):
    return access.get_member_for_view(request.user, member_id)


@router.post("", response={201: schemas.MemberOut})
def member_create(request, payload: schemas.MemberIn):

    org = access.get_org_for_member_create(request.user, payload.org)
    residence = None
    if payload.residence_community:
        residence = access.community_named(payload.residence_community)
        if residence is None:
            raise ValidationFailed(
                services.MSG_RESIDENCE_LEVEL,
                field="residence",
                code=MemberErrorCode.RESIDENCE_LEVEL,
            )
    facts = services.MemberFacts(
        name=payload.name,
        id_number=payload.id_number,
        ethnicity=payload.ethnicity,
        education=payload.education,
        joined_on=payload.joined_on,
        status=payload.status,
        category=payload.category,
        gender=payload.gender,
        birth_date=payload.birth_date,
        full_on=payload.full_on,
        phone=payload.phone,
        work_unit_name=payload.work_unit_name,
        post=payload.post,
    )
    member = services.member_register(
        actor=request.user, org=org, facts=facts, residence_community=residence
    )
    return Status(201, member)


@router.patch("/{int:member_id}", response=schemas.MemberOut)
def member_patch(request, member_id: int, payload: schemas.MemberPatch):
    with transaction.atomic():
        member = access.get_member_for_manage(request.user, member_id)
        fields = payload.dict(exclude_unset=True)
        return services.member_update(actor=request.user, member=member, **fields)


class MemberAccountIn(Schema):
    username: limited_text(150, kind="code")
    password: secret_text()


@router.post("/{int:member_id}/account", response={201: AccountOut})
def member_account_open(request, member_id: int, payload: MemberAccountIn):
    """Open the member's own sign-in (by the org that keeps the record); the initial
    password must be changed at first sign-in. As the member page's button."""
    member = access.get_member_for_view(request.user, member_id)
    user = services.member_account_open(
        actor=request.user,
        member=member,
        username=payload.username,
        password=payload.password,
    )
    return Status(201, user)


@router.post("/{int:member_id}/reveal", response=schemas.RevealOut)
def member_reveal(request, member_id: int, payload: schemas.RevealIn):
    """The full ID number or phone, for those who keep the record; audited every time."""
    member = access.get_member_for_view(request.user, member_id)
    value = services.member_reveal(actor=request.user, member=member, field=payload.field)
    return {"field": payload.field, "value": value}


# ---- transfers -----------------------------------------------------------------------------


@router.get("/transfers", response=list[schemas.TransferOut])
@paginate(LimitOffsetPagination)
def transfer_list(request, state: str | None = None, direction: str | None = None):
    return selectors.transfer_list(viewer=request.user, state=state, direction=direction)


@router.post("/transfers", response={201: schemas.TransferOut})
def transfer_start(request, payload: schemas.TransferIn):
    """The receiving org may be anywhere in the city: it is named by id."""
    member = access.get_member_for_view(request.user, payload.member)
    to_org = access.open_org_named(payload.to_org)
    if to_org is None:
        raise ValidationFailed(
            services.MSG_ORG_CLOSED, field="to_org", code=MemberErrorCode.ORG_CLOSED
        )
    transfer = services.transfer_start(
        actor=request.user, member=member, to_org=to_org, reason=payload.reason
    )
    return Status(201, transfer)


def _transfer(request, transfer_id: int) -> Transfer:
    return access.get_transfer_for_view(request.user, transfer_id)


@router.post("/transfers/{int:transfer_id}/accept", response=schemas.TransferOut)
def transfer_accept(request, transfer_id: int):
    return services.transfer_accept(actor=request.user, transfer=_transfer(request, transfer_id))


@router.post("/transfers/{int:transfer_id}/return", response=schemas.TransferOut)
def transfer_return(request, transfer_id: int, payload: schemas.ReasonIn):
    return services.transfer_return(
        actor=request.user, transfer=_transfer(request, transfer_id), reason=payload.reason
    )


@router.post("/transfers/{int:transfer_id}/cancel", response=schemas.TransferOut)
def transfer_cancel(request, transfer_id: int):
    return services.transfer_cancel(actor=request.user, transfer=_transfer(request, transfer_id))


# ---- mobile members ------------------------------------------------------------------------


@router.get("/mobile/outflows", response=list[schemas.OutflowOut])
@paginate(LimitOffsetPagination)
def outflow_list(request, state: str | None = None):
    return selectors.outflow_list(viewer=request.user, state=state)


@router.post("/mobile/outflows", response={201: schemas.OutflowOut})
def outflow_register(request, payload: schemas.OutflowIn):
    member = access.get_member_for_view(request.user, payload.member)
    outflow = services.outflow_register(
        actor=request.user,
        member=member,
        certificate_number=payload.certificate_number,
        destination=payload.destination,
        left_on=payload.left_on,
        expected_return_on=payload.expected_return_on,
        reason=payload.reason,
    )
    return Status(201, outflow)


@router.post("/mobile/outflows/{int:outflow_id}/return", response=schemas.OutflowOut)
def outflow_return(request, outflow_id: int, payload: schemas.ReturnIn):
    outflow = access.get_outflow_for_view(request.user, outflow_id)
    return services.outflow_return(
        actor=request.user, outflow=outflow, returned_on=payload.returned_on
    )


@router.get("/mobile/inflows", response=list[schemas.InflowOut])
@paginate(LimitOffsetPagination)
def inflow_list(request, state: str | None = None):
    return selectors.inflow_list(viewer=request.user, state=state)


@router.post("/mobile/inflows", response={201: schemas.InflowOut})
def inflow_register(request, payload: schemas.InflowIn):
    community = get_area_for_view(request.user, payload.community)
    inflow = services.inflow_register(
        actor=request.user,
        community=community,
        name=payload.name,
        id_number=payload.id_number,
        certificate_number=payload.certificate_number,
        home_org_name=payload.home_org_name,
        registered_on=payload.registered_on,
    )
    return Status(201, inflow)


@router.post("/mobile/inflows/{int:inflow_id}/verify", response=schemas.InflowOut)
def inflow_verify(request, inflow_id: int):
    inflow = access.get_inflow_for_view(request.user, inflow_id)
    return services.inflow_verify(actor=request.user, inflow=inflow)


# ---- dual reporting ------------------------------------------------------------------------


@router.get("/dual-reports", response=list[schemas.DualReportOut])
@paginate(LimitOffsetPagination)
def dual_report_list(request, community: int | None = None, kind: str | None = None):
    area = get_area_for_view(request.user, community) if community else None
    return selectors.dual_report_list(viewer=request.user, community=area, kind=kind)


@router.post("/dual-reports", response={201: schemas.DualReportOut})
def dual_report_create(request, payload: schemas.DualReportIn):
    """Either `member` (reports to where they live, or `community`) or `unit_org` and
    `community`."""

    community = None
    if payload.community:
        # The community may lie outside the reporting side's scope: named by id.
        community = access.community_named(payload.community)
        if community is None:
            raise ValidationFailed(
                services.MSG_COMMUNITY_LEVEL,
                field="community",
                code=MemberErrorCode.COMMUNITY_REQUIRED,
            )
    if payload.member:
        member = access.get_member_for_view(request.user, payload.member)
        report = services.dual_report_member(
            actor=request.user, member=member, community=community, reported_on=payload.reported_on
        )
    elif payload.unit_org:
        org = get_org_for_view(request.user, payload.unit_org)
        if community is None:
            raise ValidationFailed(
                services.MSG_COMMUNITY_LEVEL,
                field="community",
                code=MemberErrorCode.COMMUNITY_REQUIRED,
            )
        report = services.dual_report_unit_org(
            actor=request.user, unit_org=org, community=community, reported_on=payload.reported_on
        )
    else:
        raise ValidationFailed(
            services.MSG_REPORT_KIND, field="member", code=MemberErrorCode.REPORT_NOT_IN_SERVICE
        )
    return Status(201, report)


def _report(request, report_id: int) -> DualReport:
    return access.get_dual_report_for_view(request.user, report_id)


@router.post("/dual-reports/{int:report_id}/post", response=schemas.DualReportOut)
def dual_report_post(request, report_id: int, payload: schemas.PostIn):
    return services.dual_report_assign_post(
        actor=request.user, report=_report(request, report_id), service_post=payload.service_post
    )


@router.post("/dual-reports/{int:report_id}/services", response={201: schemas.ServiceOut})
def service_add(request, report_id: int, payload: schemas.ServiceIn):
    record = services.service_record_add(
        actor=request.user,
        report=_report(request, report_id),
        task=payload.task,
        served_on=payload.served_on,
        hours=payload.hours,
    )
    return Status(201, record)


@router.get("/report-back/{int:org_id}", response=schemas.ReportBackOut)
def report_back(request, org_id: int):
    org = get_org_for_view(request.user, org_id)
    back = selectors.report_back(viewer=request.user, org=org)
    if not scope_for(request.user).contains(org):
        raise NotFound()
    return {
        "org_id": org.pk,
        "rows": back.rows,
        "member_hours": back.member_hours,
        "org_services": back.org_services,
        "org_hours": back.org_hours,
    }

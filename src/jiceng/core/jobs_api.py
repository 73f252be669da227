"""Jobs in the JSON API: the state and progress of a job the caller submitted, and its
result. Each kind is submitted by its own app's operation (POST /api/members/imports,
POST /api/members/exports, POST /api/ledgers/{key}/jobs), which answers 202 with the
job; the caller then polls GET /api/jobs/{id} and fetches GET /api/jobs/{id}/result.
Another person's job, like a missing one, is 404."""

import datetime
from typing import Any
from urllib.parse import quote

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from jiceng.core.errors import Conflict, CoreErrorCode
from jiceng.core.jobs import job_kind_title, job_result_open
from jiceng.core.models import Job
from jiceng.core.selectors import job_get

router = Router(tags=["jobs 后台任务"])

MSG_NOT_READY = _("任务尚未完成，结果还不能下载")


class JobOut(Schema):
    id: str
    kind: str
    kind_title: str
    state: str
    state_title: str
    done: int
    total: int | None = None
    outcome: dict[str, Any]
    error_code: str
    error: str
    result_url: str | None = None
    created_at: datetime.datetime
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None


def job_out(job: Job) -> dict:
    succeeded = job.state == Job.State.SUCCEEDED
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "kind_title": job_kind_title(job.kind),
        "state": job.state,
        "state_title": str(Job.State(job.state).label),
        "done": job.done,
        "total": job.total,
        "outcome": job.outcome,
        "error_code": job.error_code,
        "error": job.error,
        "result_url": f"/api/jobs/{job.pk}/result" if succeeded else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def result_response(*, actor, job: Job) -> FileResponse:
    """The finished job's file for its owner, audited; 409 while it is not ready. The
    name and type are the kind's; the ASCII name beside the UTF-8 one is for old clients."""
    if job.state != Job.State.SUCCEEDED:
        raise Conflict(MSG_NOT_READY, code=CoreErrorCode.JOB_NOT_READY)
    response = FileResponse(job_result_open(actor=actor, job=job), content_type=job.result_type)
    extension = job.result_name.rsplit(".", 1)[-1] if "." in job.result_name else "bin"
    response["Content-Disposition"] = (
        f'attachment; filename="job.{quote(extension)}"; '
        f"filename*=UTF-8''{quote(job.result_name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/{job_id}", response=JobOut, summary="后台任务的状态和进度")
def job_status(request, job_id: str):
    return job_out(job_get(viewer=request.user, job_id=job_id[:64]))


@router.get("/{job_id}/result", summary="后台任务的结果文件", response={200: None})
def job_result(request, job_id: str):
    """The result as a download: an xlsx for an export or a ledger, the import's report
    as JSON. 409 with code job_not_ready until the job has succeeded."""
    job = job_get(viewer=request.user, job_id=job_id[:64])
    return result_response(actor=request.user, job=job)

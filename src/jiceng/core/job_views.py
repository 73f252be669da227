"""A job's page: its state and progress while it runs (the page reloads itself every
few seconds, by a meta refresh that needs no script, and offers a reload link), then its
report or its file. The same job the API's GET /api/jobs/{id} shows; another person's
job is the 404 page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.jobs import job_kind, job_kind_title
from jiceng.core.jobs_api import result_response
from jiceng.core.models import Job
from jiceng.core.selectors import job_get

REFRESH_SECONDS = 2


def _job(request, job_id) -> Job:
    try:
        return job_get(viewer=request.user, job_id=job_id)
    except NotFound:
        raise Http404 from None


def _context(job: Job) -> dict:
    percent = None
    if job.total:
        percent = min(100, job.done * 100 // job.total)
    return {
        "job": job,
        "title": job_kind_title(job.kind),
        "percent": percent,
        "refresh": None if job.finished else REFRESH_SECONDS,
        "report_template": job_kind(job.kind).report_template,
        "report": _report(job) if job.state == Job.State.SUCCEEDED else None,
    }


@login_required
def job_page(request, job_id):
    return render(request, "core/job.html", _context(_job(request, job_id)))


def _report(job: Job) -> dict | None:
    """A kind with a report shows it from the result file (JSON) on the page."""
    import json

    from jiceng.core.jobs import JSON, result_path

    if job.result_type != JSON:
        return None
    try:
        return json.loads(result_path(job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@login_required
def job_result(request, job_id):
    job = _job(request, job_id)
    try:
        return result_response(actor=request.user, job=job)
    except ApplicationError as refusal:
        context = {**_context(job), "error": refusal.message}
        return render(request, "core/job.html", context, status=refusal.status)

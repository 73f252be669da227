"""Register exports as background jobs: submitting one and reading its result."""

from jiceng.core.errors import NotFound
from jiceng.core.scope import KIND_MEMBER, scope_for


def member_export_submit(*, actor, area=None, org=None, purpose: str = "", purpose_note: str = ""):
    """Queue a register export (members.tasks.member_export_job) and return its task
    result (id, status). The purpose and today's allowance are checked now, so a refusal
    is immediate, and again when the job runs; the audit entry is written by the job,
    with the file. Masked without a purpose, as on the page."""
    from jiceng.core.exports import check_export_limit, export_purpose
    from jiceng.members.tasks import member_export_job

    if actor is None or not scope_for(actor).can_see_kind(KIND_MEMBER):
        raise NotFound()
    if purpose:
        purpose, purpose_note = export_purpose(purpose, purpose_note)
        check_export_limit(actor)
    return member_export_job.enqueue(
        actor.pk,
        area.pk if area is not None else None,
        org.pk if org is not None else None,
        purpose,
        purpose_note,
    )


def member_export_result(*, actor, job_id: str):
    """The job, for the person who submitted it only (anyone else: not found)."""
    from django_tasks.exceptions import TaskResultDoesNotExist

    from jiceng.members.tasks import member_export_job

    try:
        result = member_export_job.get_result(job_id)
    except (TaskResultDoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if actor is None or not result.args or result.args[0] != actor.pk:
        raise NotFound()
    return result

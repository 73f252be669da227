"""Jobs a user starts, run by the django-tasks database worker (`jiceng db_worker`).

A register export through the API is a job: the caller submits it, polls its status and
fetches the file when it is done. The file is written under MEDIA_ROOT/exports, named by
the job's id, and handed only to the person who asked for it."""

from pathlib import Path

from django.conf import settings
from django_tasks import task

from jiceng.accounts.models import User


def export_path(job_id: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"{job_id}.xlsx"


@task(takes_context=True)
def member_export_job(
    context, user_id: int, area_id: int | None, org_id: int | None, purpose: str, note: str
) -> dict:
    """The register export as `members.exports.member_export` makes it (purpose, limit,
    watermark, manifest and audit entry included), in the asker's scope as it is now."""
    from jiceng.core.access import get_area_for_view
    from jiceng.members.exports import member_export
    from jiceng.orgs.access import get_org_for_view

    actor = User.objects.get(pk=user_id)
    area = get_area_for_view(actor, area_id) if area_id else None
    org = get_org_for_view(actor, org_id) if org_id else None
    content, rows = member_export(
        actor=actor, area=area, org=org, purpose=purpose, purpose_note=note
    )
    path = export_path(str(context.task_result.id))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return {"rows": rows}

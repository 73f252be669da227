"""Register exports and roster imports as background jobs (core.jobs): what is checked
at once, when the job is submitted, so that a refusal is immediate; the work itself is
members.jobs', run by the worker as the person who submitted it."""

from jiceng.core.errors import NotFound
from jiceng.core.jobs import job_submit, safe_filename
from jiceng.core.models import Job
from jiceng.core.scope import KIND_MEMBER, scope_for
from jiceng.members import access
from jiceng.members.services._common import check_org

# The kinds members.jobs registers with core.jobs.
KIND_EXPORT = "members.export"
KIND_IMPORT = "members.import"


def member_export_submit(
    *, actor, area=None, org=None, purpose: str = "", purpose_note: str = ""
) -> Job:
    """Queue a register export. The purpose and today's allowance are checked now, and
    again when the job runs; the export's own audit entry (with its manifest) is written
    by the job, with the file. Masked without a purpose, as on the page."""
    from jiceng.core.exports import check_export_limit, export_purpose

    if actor is None or not scope_for(actor).can_see_kind(KIND_MEMBER):
        raise NotFound()
    if purpose:
        purpose, purpose_note = export_purpose(purpose, purpose_note)
        check_export_limit(actor)
    params = {
        "area": area.pk if area is not None else None,
        "org": org.pk if org is not None else None,
        "purpose": purpose,
        "purpose_note": purpose_note,
    }
    audit = {"area": params["area"], "org": params["org"], "purpose": purpose}
    return job_submit(actor=actor, kind=KIND_EXPORT, params=params, audit=audit)


def member_import_submit(*, actor, org, data: bytes, filename: str = "") -> Job:
    """Queue a roster import into `org`: the right to manage its members and the org
    being open are checked now; the file (already through core.uploads.accept_workbook)
    is validated row by row by the job, which writes all rows or none."""
    import hashlib

    access.require_manage_org_members(actor, org)
    check_org(org)
    # The name is the client's: kept for the report and the audit, without controls.
    name = safe_filename(filename, "")[:100]
    audit = {"org": org.pk, "file": name, "sha256": hashlib.sha256(data).hexdigest()}
    return job_submit(
        actor=actor,
        kind=KIND_IMPORT,
        params={"org": org.pk, "filename": name},
        data=data,
        audit=audit,
    )

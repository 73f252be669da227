"""The members app's background jobs (core.jobs): the register export and the roster
import, each the same work the page does, run as the person who submitted it. Registered
in MembersConfig.ready()."""

import json
from dataclasses import asdict

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.jobs import JSON, XLSX, JobKind, JobResult, register_job_kind
from jiceng.members.services.jobs import KIND_EXPORT, KIND_IMPORT


def export_work(*, actor, params: dict, data, progress) -> JobResult:
    """The register export as `members.exports.member_export` makes it (purpose, limit,
    watermark, manifest and audit entry included), in the asker's scope as it is now."""
    from jiceng.core.access import get_area_for_view
    from jiceng.members.exports import member_export
    from jiceng.orgs.access import get_org_for_view

    area = get_area_for_view(actor, params["area"]) if params.get("area") else None
    org = get_org_for_view(actor, params["org"]) if params.get("org") else None
    content, rows = member_export(
        actor=actor,
        area=area,
        org=org,
        purpose=params.get("purpose", ""),
        purpose_note=params.get("purpose_note", ""),
        progress=progress,
    )
    node = (org or area).name if (org or area) else str(_("全部"))
    full = "-完整" if params.get("purpose") else ""
    name = f"党员名册{full}-{node}-{timezone.localdate():%Y%m%d}.xlsx"
    return JobResult(content, name, XLSX, {"rows": rows})


def import_report(report) -> dict:
    """The import's report as the page shows it: counts, per-row errors, note lines."""
    return {
        "ok": report.ok,
        "rows": report.rows,
        "created": report.created,
        "unchanged": report.unchanged,
        "errors": [asdict(error) for error in report.errors],
        "notes": [{"row": row, "text": text} for row, text in report.notes],
        "sha256": report.sha256,
    }


def import_work(*, actor, params: dict, data, progress) -> JobResult:
    """Validate the roster row by row (progress by rows) and write it all or not at all,
    through `members.imports.member_import`, the page's own import."""
    from jiceng.members.imports import member_import
    from jiceng.orgs.access import get_org_for_view

    org = get_org_for_view(actor, params["org"])
    report = member_import(
        actor=actor,
        org=org,
        data=data or b"",
        filename=params.get("filename", ""),
        progress=progress,
    )
    body = import_report(report)
    outcome = {k: body[k] for k in ("ok", "rows", "created", "unchanged")}
    outcome["errors"] = len(report.errors)
    content = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    return JobResult(content, f"导入结果-{org.name}.json", JSON, outcome)


def register() -> None:
    register_job_kind(JobKind(KIND_EXPORT, _("导出党员名册"), export_work))
    register_job_kind(
        JobKind(
            KIND_IMPORT,
            _("Excel 导入党员名册"),
            import_work,
            report_template="members/partials/import_report.html",
        )
    )

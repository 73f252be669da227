"""The audit log's export as a background job (core.jobs): the same workbook the audit
page's and the API's export give (services.audit_export), for the auditor who submitted
it, in their territory as it is when the job runs. Registered in CoreConfig.ready()."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core import services
from jiceng.core.jobs import XLSX, JobKind, JobResult, register_job_kind
from jiceng.core.selectors import AuditFilters

_FIELDS = ("actor", "action", "target_type", "target_id", "person")


def audit_export_work(*, actor, params: dict, data, progress) -> JobResult:
    filters = AuditFilters(**{name: params[name] for name in _FIELDS if name in params})
    content = services.audit_export(actor=actor, filters=filters, progress=progress)
    name = f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    return JobResult(content, name, XLSX, {"rows": progress.done})


def register() -> None:
    register_job_kind(JobKind(services.KIND_AUDIT_EXPORT, _("导出审计日志"), audit_export_work))

"""The ledgers app's background job (core.jobs): one ledger's workbook, exactly as the
page, the API and `jiceng ledgers export` make it (services.ledger_export: the same data
and generation time give the same bytes), for the person who submitted it, in their
scope as it is when the job runs. Registered in LedgersConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.jobs import XLSX, JobKind, JobResult, register_job_kind
from jiceng.ledgers import selectors, services
from jiceng.ledgers.workbook import filename


def ledger_work(*, actor, params: dict, data, progress) -> JobResult:
    ledger = selectors.ledger_get(viewer=actor, key=params["key"])
    subject = selectors.subject_for(
        viewer=actor,
        ledger=ledger,
        area=params.get("area"),
        org=params.get("org"),
        period=params.get("period"),
    )
    content, table = services.ledger_export(
        actor=actor, viewer=actor, ledger=ledger, subject=subject, progress=progress
    )
    outcome = {
        "ledger": ledger.key,
        "rows": len(table.rows),
        "truncated": table.truncated,
        # With this time, `jiceng ledgers export --generated-at` gives the same file.
        "generated_at": table.generated_at.isoformat(),
    }
    return JobResult(content, filename(table), XLSX, outcome)


def register() -> None:
    register_job_kind(JobKind(services.KIND_LEDGER, _("生成台账"), ledger_work))

"""Generating a ledger is an export of what the platform holds: each generation (the
workbook, the printable page, the rows through the API, the command's file) writes one
audit entry naming the ledger, the subject, the period, the format and the row count,
in the caller's transaction. Personal data in a ledger is masked by the app that fills
it; a full register with a purpose is the members app's own export."""

import datetime

from django.db import transaction

from jiceng.core.audit import audit_record
from jiceng.core.jobs import job_submit
from jiceng.core.ledgers import Ledger, Subject
from jiceng.core.models import AuditEntry, Job
from jiceng.ledgers.selectors import MAX_ROWS, Table, ledger_table
from jiceng.ledgers.workbook import table_xlsx

FORMATS = ("xlsx", "print", "json")


def _audit(*, actor, table: Table, fmt: str, extra: dict | None = None) -> None:
    subject = table.subject
    node = subject.org if subject.org is not None else subject.area
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target=node,
        changes={
            "export": "ledger",
            "ledger": table.ledger.key,
            "format": fmt,
            "subject": subject.kind,
            "period": subject.period.text if table.ledger.takes_period else "",
            "rows": len(table.rows),
            "truncated": table.truncated,
            "generated_at": table.generated_at.isoformat(),
            **(extra or {}),
        },
    )


def ledger_export(
    *,
    actor,
    viewer,
    ledger: Ledger,
    subject: Subject,
    generated_at: datetime.datetime | None = None,
    progress=None,
) -> tuple[bytes, Table]:
    """The ledger as an xlsx for `viewer`'s scope, audited under `actor` (None for the
    system: the command run by an operator). The same data and generation time give the
    same bytes. The rows are read and written outside the audit's transaction, so that a
    background job's `progress(done, total)` is seen as it goes."""
    table = ledger_table(
        viewer=viewer, ledger=ledger, subject=subject, generated_at=generated_at, progress=progress
    )
    content = table_xlsx(table, progress=progress)
    with transaction.atomic():
        _audit(actor=actor, table=table, fmt="xlsx")
    return content, table


# The kind ledgers.jobs registers with core.jobs.
KIND_LEDGER = "ledgers.generate"


def ledger_generate_submit(*, actor, ledger: Ledger, subject: Subject) -> Job:
    """Queue the ledger's workbook as a background job (a district's year of appeals is
    more than a request should wait for). The ledger and the subject were checked in
    the actor's scope by the caller (selectors.ledger_get, subject_for), and are again
    when the job runs; the generation itself is audited by the job, as ledger_export."""
    params = {
        "key": ledger.key,
        "area": subject.area.pk if subject.area is not None else None,
        "org": subject.org.pk if subject.org is not None else None,
        "period": subject.period.text,
    }
    return job_submit(actor=actor, kind=KIND_LEDGER, params=params, audit=params)


@transaction.atomic
def ledger_show(
    *, actor, ledger: Ledger, subject: Subject, fmt: str, limit: int | None = None
) -> Table:
    """The ledger's rows for a page (the printable table) or the API, audited."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    table = ledger_table(
        viewer=actor, ledger=ledger, subject=subject, limit=MAX_ROWS if limit is None else limit
    )
    _audit(actor=actor, table=table, fmt=fmt)
    return table

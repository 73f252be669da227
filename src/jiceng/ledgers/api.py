"""The ledgers (台账) in the JSON API: the list of ledgers the caller may pull, one
ledger's rows (paginated), and one ledger as Excel. Each generation is audited by the
same service the pages use; out of sight is 404, a bad period or subject 400 with the
field named, in the one error shape."""

from django.http import HttpResponse
from ninja import Router

from jiceng.core.ledgers import Ledger, app_title
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.ledgers import schemas, selectors, services
from jiceng.ledgers.cells import as_json
from jiceng.ledgers.workbook import XLSX, filename

router = Router(tags=["ledgers 台账"])


def _out(ledger: Ledger) -> dict:
    return {
        "key": ledger.key,
        "title": str(ledger.title),
        "app": ledger.app,
        "app_title": app_title(ledger.app),
        "kind": ledger.kind,
        "source": ledger.source,
        "subjects": list(ledger.subjects),
        "takes_period": ledger.takes_period,
        "columns": [{"key": c.key, "title": str(c.title), "kind": c.kind} for c in ledger.columns],
    }


@router.get("", response=list[schemas.LedgerOut])
def ledger_list(request):
    """Every ledger the caller may pull, in registry order (grouped by app)."""
    return [_out(ledger) for ledger in selectors.ledger_list(viewer=request.user)]


def _subject(request, key: str, area: int | None, org: int | None, period: str):
    ledger = selectors.ledger_get(viewer=request.user, key=key)
    subject = selectors.subject_for(
        viewer=request.user, ledger=ledger, area=area, org=org, period=period
    )
    return ledger, subject


@router.get("/{key}", response=list[schemas.LedgerRowOut])
@paginate(LimitOffsetPagination)
def ledger_rows(
    request, key: str, area: int | None = None, org: int | None = None, period: str = ""
):
    """One ledger's rows for an area (id) or an org (id) and a period (2026, 2026-03 or
    2026-Q1), each row an object keyed by column."""
    ledger, subject = _subject(request, key, area, org, period[:20])
    table = services.ledger_show(actor=request.user, ledger=ledger, subject=subject, fmt="json")
    keys = [(c.key, c) for c in ledger.columns]
    return [
        {"cells": {k: as_json(value, c) for (k, c), value in zip(keys, row, strict=True)}}
        for row in table.rows
    ]


@router.get("/{key}/xlsx")
def ledger_xlsx(
    request, key: str, area: int | None = None, org: int | None = None, period: str = ""
):
    """One ledger as Excel, with its header block (scope, period, source, time)."""
    ledger, subject = _subject(request, key, area, org, period[:20])
    content, table = services.ledger_export(
        actor=request.user, viewer=request.user, ledger=ledger, subject=subject
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename(table)}"
    return response

"""The ledgers pages (phone-first): every ledger the viewer may pull, grouped by app, with
a form to choose the territory or org and the period; one ledger as a printable page; one
ledger as Excel. Reads go through the selectors, generation (audited) through the
services. Out of sight (a ledger whose kind the viewer does not see, an area or org out
of scope) is the 404 page."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.ledgers import SUBJECT_AREA
from jiceng.ledgers import selectors, services
from jiceng.ledgers.cells import as_text, header_lines
from jiceng.ledgers.workbook import XLSX, filename

# The printable page shows this many rows; the workbook holds the rest.
PAGE_ROWS = 2000


def _params(request) -> dict[str, str]:
    """The subject's parameters; without an area or org, the viewer's own territory."""
    params = {
        name: request.GET.get(name, "").strip()[:20]
        for name in ("area", "org", "period")
        if request.GET.get(name, "").strip()
    }
    if not params.get("area") and not params.get("org"):
        areas = selectors.area_choices(viewer=request.user, limit=1)
        if areas:
            params["area"] = str(areas[0].pk)
    return params


def _subject(request, ledger, params: dict[str, str]):
    return selectors.subject_for(
        viewer=request.user,
        ledger=ledger,
        area=params.get("area"),
        org=params.get("org"),
        period=params.get("period"),
    )


def _require_some(user) -> None:
    if not selectors.ledger_list(viewer=user):
        raise Http404


@login_required
def index(request):
    _require_some(request.user)
    params = _params(request)
    error = None
    subject = None
    if params.get("area") or params.get("org"):
        try:
            subject = _subject(request, None, params)
        except NotFound:
            raise Http404 from None
        except ValidationFailed as failure:
            error = failure.message
    query = urlencode(params)
    groups = [
        (
            title,
            [(x, subject is None or x.accepts(subject.kind)) for x in items],
        )
        for title, items in selectors.ledger_groups(viewer=request.user)
    ]
    context = {
        "groups": groups,
        "count": sum(len(items) for _, items in groups),
        "params": params,
        "query": query,
        "subject": subject,
        "error": error,
        "areas": selectors.area_choices(viewer=request.user),
        "orgs": selectors.org_options(viewer=request.user),
        "period": params.get("period") or str(timezone.localdate().year),
    }
    return render(request, "ledgers/index.html", context)


def _resolve(request, key: str):
    try:
        ledger = selectors.ledger_get(viewer=request.user, key=key)
        params = _params(request)
        subject = _subject(request, ledger, params)
    except NotFound:
        raise Http404 from None
    return ledger, subject, params


@login_required
def ledger(request, key: str):
    try:
        ledger, subject, params = _resolve(request, key)
    except ValidationFailed as failure:
        return render(request, "ledgers/ledger.html", {"error": failure.message}, status=400)
    table = services.ledger_show(
        actor=request.user, ledger=ledger, subject=subject, fmt="print", limit=PAGE_ROWS
    )
    rows = [
        [as_text(value, column) for value, column in zip(row, ledger.columns, strict=True)]
        for row in table.rows
    ]
    context = {
        "table": table,
        "ledger": ledger,
        "lines": header_lines(table),
        "rows": rows,
        "query": urlencode(params),
        "page_rows": PAGE_ROWS,
        "numeric": [c.kind in ("number", "percent") for c in ledger.columns],
        "by_area": subject.kind == SUBJECT_AREA,
    }
    return render(request, "ledgers/ledger.html", context)


@login_required
def ledger_xlsx(request, key: str):
    try:
        ledger, subject, _params_used = _resolve(request, key)
    except ValidationFailed as failure:
        return render(request, "ledgers/ledger.html", {"error": failure.message}, status=400)
    content, table = services.ledger_export(
        actor=request.user, viewer=request.user, ledger=ledger, subject=subject
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename(table)}"
    return response

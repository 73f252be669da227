"""The audit page: auditors read the log of their territory, filter it by actor,
action, target and person, and export what they see (masked)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiceng.core import services
from jiceng.core.models import AuditEntry
from jiceng.core.selectors import AuditFilters, audit_entry_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request) -> AuditFilters:
    person = request.GET.get("person", "")
    return AuditFilters(
        actor=request.GET.get("actor", "").strip(),
        action=request.GET.get("action", "")
        if request.GET.get("action") in AuditEntry.Action.values
        else "",
        target_type=request.GET.get("target_type", "").strip(),
        target_id=request.GET.get("target_id", "").strip(),
        person=int(person) if person.isdigit() else None,
    )


@login_required
def audit(request):
    filters = _filters(request)
    entries = audit_entry_list(viewer=request.user, filters=filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [services.audit_entry_display(e) for e in page],
        "filters": filters,
        "actions": AuditEntry.Action.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "core/audit.html", context)


@login_required
def audit_export(request):
    content = services.audit_export(actor=request.user, filters=_filters(request))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"audit.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response

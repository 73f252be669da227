"""The audit page: auditors read the log of their territory, filter it by actor,
action, target and person, and export what they see (masked)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiceng.core import services
from jiceng.core.models import AuditEntry
from jiceng.core.selectors import AuditFilters, audit_entry_list


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
@require_POST
def audit_export(request):
    """The filtered entries as Excel, made by a background job (POST /api/audit/exports):
    its page shows the progress, then offers the file. The filters are the page's query."""
    job = services.audit_export_submit(actor=request.user, filters=_filters(request))
    return redirect("jobs:job", job_id=job.pk)

"""The sender's pages: the list of dispatches, drafting one, its delivery and
completion by recipient with the actions of its lifecycle, and one report to review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.outcomes import format_figure, outcome
from jiceng.linkage import access, actions, downloads, selectors
from jiceng.linkage.models import (
    ANSWER_MAX,
    BODY_MAX,
    CAPTION_MAX,
    CHOICES_MAX,
    DUTY_MAX,
    LABEL_MAX,
    NOTE_MAX,
    PERIOD_MAX,
    REASON_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Dispatch,
    ReportField,
)
from jiceng.linkage.views._common import form_data, refusal_message, require_kind

# Blank report-field rows on the drafting page; more can be added to the draft.
FIELD_ROWS = 3
LIMITS = {
    "title": TITLE_MAX,
    "body": BODY_MAX,
    "period": PERIOD_MAX,
    "duty": DUTY_MAX,
    "label": LABEL_MAX,
    "choices": CHOICES_MAX,
    "reason": REASON_MAX,
    "summary": SUMMARY_MAX,
    "caption": CAPTION_MAX,
    "answer": ANSWER_MAX,
    "note": NOTE_MAX,
}


@login_required
def dispatch_list(request):
    require_kind(request.user)
    mine = request.GET.get("mine") == "1"
    outside_list = request.GET.get("outside") == "1"
    state = request.GET.get("state", "")
    if state not in Dispatch.State.values:
        state = ""
    rows = list(
        selectors.dispatch_list(
            viewer=request.user, state=state or None, mine=mine, outside_list=outside_list
        )[:200]
    )
    return render(
        request,
        "linkage/dispatches.html",
        {
            "dispatches": rows,
            "mine": mine,
            "outside_list": outside_list,
            "state": state,
            "states": Dispatch.State.choices,
            "can_send": bool(
                access.sender_areas(request.user) or access.sender_departments(request.user)
            ),
        },
    )


def _sender(data: dict, departments) -> None:
    """The form's one "sender" choice ("area:ID" or "department:ID") as the API's
    sender_area and sender_department."""
    kind, _sep, pk = str(data.pop("sender", "")).partition(":")
    if kind == "area" and pk.isdigit():
        data["sender_area"] = pk
    for department in departments:
        if kind == "department" and pk == str(department.pk):
            data["sender_area"] = department.area_id
            data["sender_department"] = department.pk


def _field_rows(data: dict) -> list[dict]:
    rows = []
    for i in range(FIELD_ROWS):
        label = data.pop(f"field_label_{i}", "")
        kind = data.pop(f"field_kind_{i}", "")
        key = data.pop(f"field_outcome_{i}", "")
        choices = data.pop(f"field_choices_{i}", "")
        if label or (kind and kind != ReportField.Kind.OUTCOME) or key:
            rows.append({"label": label, "kind": kind, "outcome_key": key, "choices": choices})
    return rows


@login_required
def dispatch_new(request):
    require_kind(request.user)
    senders = access.sender_areas(request.user)
    departments = access.sender_departments(request.user)
    if not senders and not departments:
        raise Http404
    values: dict = {}
    error = ""
    if request.method == "POST":
        data = form_data(request, lists=("target_areas", "target_orgs"))
        values = dict(data)
        _sender(data, departments)
        data["fields"] = _field_rows(data)
        try:
            created = actions.perform(request.user, "dispatches", None, "create", data)
        except NotFound:
            raise Http404 from None
        except ApplicationError as refused:
            error = refusal_message(refused)
        else:
            messages.success(request, _("草稿已保存，核对后即可下发"))
            return redirect("linkage:dispatch", created.pk)
    return render(
        request,
        "linkage/dispatch_new.html",
        {
            "senders": senders,
            "departments": departments,
            "duty_choices": selectors.duty_choices(viewer=request.user),
            "targets": selectors.target_choices(viewer=request.user),
            "outcomes": selectors.area_outcomes(),
            "org_measures": selectors.org_measures(),
            "org_groups": Dispatch.OrgGroup.choices,
            "kinds": Dispatch.Kind.choices,
            "targetings": Dispatch.Targeting.choices,
            "levels": Dispatch.Level.choices,
            "comparisons": Dispatch.Comparison.choices,
            "field_kinds": ReportField.Kind.choices,
            "field_rows": range(FIELD_ROWS),
            "limits": LIMITS,
            "values": values,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def dispatch_detail(request, pk: int):
    require_kind(request.user)
    try:
        found = selectors.dispatch_get(viewer=request.user, dispatch_id=pk)
    except NotFound:
        raise Http404 from None
    rows = list(selectors.recipients_of(viewer=request.user, dispatch=found))
    offered = {a.name: a for a in actions.offered(request.user, "dispatches", found)}
    return render(
        request,
        "linkage/dispatch_detail.html",
        {
            "dispatch": found,
            "recipients": rows,
            "completion": selectors.completion(found, rows),
            "fields": selectors.fields_of(found),
            "attachments": selectors.attachments_of(found),
            "offered": offered,
            "manages": access.can_manage_dispatch(request.user, found),
            "bulletin": getattr(found, "bulletin", None),
            "admission_refusal": selectors.admission_refusal(found),
            "outside_marks": selectors.outside_list_marks(viewer=request.user, dispatch=found),
            "outcomes": selectors.area_outcomes(),
            "field_kinds": ReportField.Kind.choices,
            "limits": LIMITS,
            "today": timezone.localdate(),
        },
    )


@login_required
def report_detail(request, pk: int, report_id: int):
    require_kind(request.user)
    try:
        report = selectors.report_get(viewer=request.user, report_id=report_id)
    except NotFound:
        raise Http404 from None
    if report.recipient.dispatch_id != pk:
        raise Http404
    values = selectors.values_of(report)
    shown = []
    for v in values:
        computed = ""
        if v.field.kind == ReportField.Kind.OUTCOME and v.computed is not None:
            o = outcome(v.field.outcome_key)
            from jiceng.core.outcomes import Figure

            computed = format_figure(o, Figure(float(v.computed)))
        shown.append({"value": v, "computed": computed})
    return render(
        request,
        "linkage/report_detail.html",
        {
            "report": report,
            "dispatch": report.recipient.dispatch,
            "values": shown,
            "offered": actions.offered(request.user, "reports", report),
            "limits": LIMITS,
        },
    )


@login_required
def attachment(request, pk: int):
    require_kind(request.user)
    try:
        found = selectors.attachment_for(viewer=request.user, attachment_id=pk)
    except NotFound:
        raise Http404 from None
    return downloads.attachment_response(found)

"""The recipient's pages, phone-first: what was sent to the areas and orgs the viewer
answers for, and one of them — the text and attachments, the acknowledgement, and for
a task the report form with the figures the system already holds filled in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.outcomes import Period
from jiceng.linkage import access, actions, downloads, prefill, selectors, services, states
from jiceng.linkage.models import Dispatch, ReportField
from jiceng.linkage.views._common import refusal_message, report_payload, require_kind
from jiceng.linkage.views.sending import LIMITS


@login_required
def received_list(request):
    require_kind(request.user)
    open_only = request.GET.get("open") == "1"
    rows = list(selectors.received_list(viewer=request.user, open_only=open_only)[:200])
    today = timezone.localdate()
    items = [
        {
            "recipient": r,
            "late": hasattr(r, "report")
            and states.is_late(r.dispatch.deadline, r.report.state, today),
        }
        for r in rows
    ]
    return render(request, "linkage/received_list.html", {"items": items, "open_only": open_only})


def _form(recipient, posted: dict | None = None) -> list[dict]:
    """Each field of the task with what the form shows: the computed figure, the value
    already stored, or what was just typed (after a refusal)."""
    fields = selectors.fields_of(recipient.dispatch)
    computed = {}
    if recipient.dispatch.period:
        try:
            Period.parse(recipient.dispatch.period)
            computed = prefill.prefill(recipient, fields)
        except (ValueError, LookupError):
            computed = {}
    stored = {}
    report = getattr(recipient, "report", None)
    if report is not None:
        stored = {v.field_id: v for v in selectors.values_of(report)}
    rows = []
    for f in fields:
        found = computed.get(f.pk)
        value = stored[f.pk].value if f.pk in stored else (found.display if found else "")
        note = stored[f.pk].note if f.pk in stored else ""
        if posted is not None:
            value = posted.get(f"value_{f.pk}", value)
            note = posted.get(f"note_{f.pk}", note)
        rows.append(
            {
                "field": f,
                "prefilled": found,
                "unit": "%" if found and found.outcome.unit == "rate" else "",
                "value": value,
                "note": note,
                "corrected": f.pk in stored and stored[f.pk].corrected,
            }
        )
    return rows


def _labels(recipient, posted) -> dict[str, str]:
    """The label each field of the report form showed, under every name a refusal may
    give it: the service's `values.<id>`/`notes.<id>`, the schema's `answers.<i>.*`."""
    note = _("更正说明")
    labels: dict[str, str] = {}
    fields = {f.pk: f for f in selectors.fields_of(recipient.dispatch)}
    for f in fields.values():
        labels[f"values.{f.pk}"] = f.label
        labels[f"notes.{f.pk}"] = f"{note}（{f.label}）"
    sent = sorted(
        {
            int(k.split("_", 1)[1])
            for k in posted
            if k.split("_", 1)[-1].isdigit() and k.startswith(("value_", "note_"))
        }
    )
    for i, pk in enumerate(sent):
        if pk in fields:
            labels[f"answers.{i}.value"] = fields[pk].label
            labels[f"answers.{i}.note"] = f"{note}（{fields[pk].label}）"
    return labels


@login_required
def received_detail(request, pk: int):
    require_kind(request.user)
    try:
        recipient = selectors.received_get(viewer=request.user, recipient_id=pk)
    except NotFound:
        raise Http404 from None
    error = ""
    posted = None
    if request.method == "POST":
        try:
            actions.perform(request.user, "received", pk, "report", report_payload(request))
        except NotFound:
            raise Http404 from None
        except ApplicationError as refused:
            error = refusal_message(refused, _labels(recipient, request.POST))
            posted = request.POST
        else:
            messages.success(request, _("已报送"))
            return redirect("linkage:received", pk)
    else:
        # Opening is a delivery fact for the sender's receipt view, nothing more.
        services.receipt_open(actor=request.user, recipient=recipient)
    dispatch = recipient.dispatch
    report = getattr(recipient, "report", None)
    answers = access.can_answer(request.user, recipient)
    can_report = (
        answers
        and dispatch.state == Dispatch.State.SENT
        and report is not None
        and states.report_allows(report, "submit")
    )
    return render(
        request,
        "linkage/received_detail.html",
        {
            "recipient": recipient,
            "dispatch": dispatch,
            "report": report,
            "attachments": selectors.attachments_of(dispatch),
            "offered": [
                a
                for a in actions.offered(request.user, "received", recipient)
                if a.name != "report"
            ],
            "rows": _form(recipient, posted) if dispatch.is_task else [],
            "can_report": can_report,
            "late": report is not None and states.is_late(dispatch.deadline, report.state),
            "bulletin": getattr(dispatch, "bulletin", None),
            "error": error,
            "kinds": ReportField.Kind,
            "limits": LIMITS,
        },
        status=400 if error else 200,
    )


@login_required
def received_attachment(request, pk: int, attachment_id: int):
    require_kind(request.user)
    try:
        found = selectors.attachment_for(
            viewer=request.user, attachment_id=attachment_id, recipient_id=pk
        )
    except NotFound:
        raise Http404 from None
    return downloads.attachment_response(found)

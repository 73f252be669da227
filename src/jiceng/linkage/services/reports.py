"""The recipient's side and the sender's review: a receipt opened and acknowledged, a
task's report submitted (pre-filled figures confirmed or corrected with a note, the
other questions answered), returned with a reason or accepted; the late chased in one
action; the bulletin published."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from jiceng.core.types import Actor
from jiceng.linkage import access, bulletin, prefill, states
from jiceng.linkage.errors import (
    MSG_ANSWER_NUMBER,
    MSG_ANSWER_REQUIRED,
    MSG_BAD_CHOICE,
    MSG_BULLETIN_EXISTS,
    MSG_DISPATCH_CLOSED,
    MSG_NOT_A_TASK,
    MSG_NOTE_REQUIRED,
    MSG_NOTHING_ACCEPTED,
    MSG_REASON_REQUIRED,
    MSG_STALE_VERSION,
    LinkageErrorCode,
    conflict,
    invalid,
)
from jiceng.linkage.models import (
    ANSWER_MAX,
    NOTE_MAX,
    REASON_MAX,
    SUMMARY_MAX,
    Bulletin,
    Dispatch,
    Receipt,
    Recipient,
    Report,
    ReportField,
    ReportValue,
)
from jiceng.linkage.services._common import audit_create, audit_update, stored_actor, text
from jiceng.linkage.services.dispatches import notify_recipients

Code = LinkageErrorCode


@dataclass(frozen=True)
class Answer:
    """What the recipient sent for one field: the value (for an outcome, empty means
    "confirmed as computed") and, for a corrected figure, the note saying why."""

    value: str = ""
    note: str = ""


def _open_dispatch(recipient: Recipient) -> Dispatch:
    dispatch = recipient.dispatch
    if dispatch.state != Dispatch.State.SENT:
        raise conflict(MSG_DISPATCH_CLOSED, Code.DISPATCH_CLOSED, "state")
    return dispatch


@transaction.atomic
def receipt_open(*, actor: Actor, recipient: Recipient) -> Receipt:
    """The first time one of the recipient's answerers opens it (delivery only)."""
    receipt = Receipt.objects.select_for_update().get(recipient=recipient)
    if receipt.opened_at is None and actor is not None and access.can_answer(actor, recipient):
        receipt.opened_at = timezone.now()
        receipt.save(update_fields=["opened_at"])
        audit_update(actor, receipt, {"opened": True})
    return receipt


@transaction.atomic
def receipt_acknowledge(*, actor: Actor, recipient: Recipient) -> Receipt:
    """签收: the recipient confirms it has the notice or task. Once; again is a no-op."""
    access.require_answer(actor, recipient)
    _open_dispatch(recipient)
    receipt = Receipt.objects.select_for_update().get(recipient=recipient)
    if receipt.acknowledged_at is None:
        now = timezone.now()
        receipt.opened_at = receipt.opened_at or now
        receipt.acknowledged_at = now
        receipt.acknowledged_by = stored_actor(actor)
        receipt.save(update_fields=["opened_at", "acknowledged_at", "acknowledged_by"])
        audit_update(actor, receipt, {"acknowledged": True})
    return receipt


def _decimal(value: str, field: ReportField, name: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise invalid(
            str(MSG_ANSWER_NUMBER).format(label=field.label), Code.ANSWER_NUMBER, name
        ) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise invalid(str(MSG_ANSWER_NUMBER).format(label=field.label), Code.ANSWER_NUMBER, name)
    return number


def check_answers(
    recipient: Recipient, fields: list[ReportField], answers: Mapping[int, Answer]
) -> list[ReportValue]:
    """Each field's stored value, every refusal naming the field (`values.<id>`)."""
    computed = prefill.prefill(recipient, fields)
    rows = []
    for f in fields:
        name = f"values.{f.pk}"
        answer = answers.get(f.pk, Answer())
        value = text(answer.value, field=name, max_length=ANSWER_MAX, kind="multiline")
        note = text(answer.note, field=f"notes.{f.pk}", max_length=NOTE_MAX)
        row = ReportValue(field=f, value=value)
        if f.kind == ReportField.Kind.OUTCOME:
            found = computed[f.pk]
            row.computed = (
                Decimal(str(found.figure.value)).quantize(Decimal("0.000001"))
                if found.figure.value is not None
                else None
            )
            row.computed_numerator = found.figure.numerator
            row.computed_denominator = found.figure.denominator
            if value == "" or (
                found.display and _decimal(value, f, name) == Decimal(found.display)
            ):
                row.value = found.display
            else:
                _decimal(value, f, name)
                if not note:
                    raise invalid(
                        str(MSG_NOTE_REQUIRED).format(label=f.label),
                        Code.NOTE_REQUIRED,
                        f"notes.{f.pk}",
                    )
                row.corrected, row.note = True, note
        elif value == "":
            if f.required:
                raise invalid(
                    str(MSG_ANSWER_REQUIRED).format(label=f.label), Code.ANSWER_REQUIRED, name
                )
        elif f.kind == ReportField.Kind.NUMBER:
            row.value = str(_decimal(value, f, name))
        elif f.kind == ReportField.Kind.YES_NO:
            if value not in ("yes", "no"):
                raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, name)
        elif f.kind == ReportField.Kind.CHOICE and value not in f.options:
            raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, name)
        rows.append(row)
    return rows


@transaction.atomic
def report_submit(
    *, actor: Actor, recipient: Recipient, answers: Mapping[int, Answer], version: int | None = None
) -> Report:
    """报送: the recipient's answers; the figures computed again here, so what is stored
    as computed is the system's, whatever the form said."""
    access.require_answer(actor, recipient)
    dispatch = _open_dispatch(recipient)
    if not dispatch.is_task:
        raise conflict(MSG_NOT_A_TASK, Code.NOT_A_TASK, "state")
    report = Report.objects.select_for_update().get(recipient=recipient)
    if version is not None and version != report.version:
        raise conflict(MSG_STALE_VERSION, Code.STALE_VERSION, "version")
    before = states.step_report(report, "submit")
    fields = list(dispatch.fields.all())
    rows = check_answers(recipient, fields, answers)
    ReportValue.objects.filter(report=report).delete()
    for row in rows:
        row.report = report
    ReportValue.objects.bulk_create(rows)
    report.submitted_at = timezone.now()
    report.submitted_by = stored_actor(actor)
    report.return_reason = ""
    report.version += 1
    report.save()
    receipt = Receipt.objects.select_for_update().get(recipient=recipient)
    if receipt.acknowledged_at is None:
        # A report says the task arrived: it acknowledges it too.
        receipt.opened_at = receipt.opened_at or report.submitted_at
        receipt.acknowledged_at = report.submitted_at
        receipt.acknowledged_by = stored_actor(actor)
        receipt.save(update_fields=["opened_at", "acknowledged_at", "acknowledged_by"])
    audit_update(
        actor,
        report,
        {
            "state": {"old": before, "new": report.state},
            "corrected": [r.field_id for r in rows if r.corrected],
        },
    )
    return report


def _reviewable(actor: Actor, report: Report) -> Dispatch:
    dispatch = report.recipient.dispatch
    access.require_manage_dispatch(actor, dispatch)
    if dispatch.state == Dispatch.State.WITHDRAWN:
        raise conflict(MSG_DISPATCH_CLOSED, Code.DISPATCH_CLOSED, "state")
    return dispatch


@transaction.atomic
def report_return(*, actor: Actor, report: Report, reason: str) -> Report:
    """退回修改: back to the recipient with the reason."""
    dispatch = _reviewable(actor, report)
    reason = text(reason, field="reason", max_length=REASON_MAX)
    if not reason:
        raise invalid(MSG_REASON_REQUIRED, Code.REASON_REQUIRED, "reason")
    locked = Report.objects.select_for_update().get(pk=report.pk)
    before = states.step_report(locked, "return")
    locked.return_reason = reason
    locked.decided_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["state", "return_reason", "decided_at", "version"])
    audit_update(actor, locked, {"state": {"old": before, "new": locked.state}, "reason": reason})
    notify_recipients(
        [report.recipient],
        title=_t("报送被退回修改：%(title)s") % {"title": dispatch.title},
        body=reason,
    )
    return locked


@transaction.atomic
def report_accept(*, actor: Actor, report: Report) -> Report:
    """采纳: the report stands; its figures go into the bulletin."""
    dispatch = _reviewable(actor, report)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    before = states.step_report(locked, "accept")
    locked.decided_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["state", "decided_at", "version"])
    audit_update(actor, locked, {"state": {"old": before, "new": locked.state}})
    notify_recipients(
        [report.recipient], title=_t("报送已采纳：%(title)s") % {"title": dispatch.title}
    )
    return locked


@transaction.atomic
def dispatch_chase(*, actor: Actor, dispatch: Dispatch) -> int:
    """催报: every recipient still owing its report after the deadline (for a notice:
    not yet acknowledged after it) gets a notification. Returns how many were chased."""
    access.require_manage_dispatch(actor, dispatch)
    if dispatch.state != Dispatch.State.SENT:
        raise conflict(MSG_DISPATCH_CLOSED, Code.DISPATCH_CLOSED, "state")
    today = timezone.localdate()
    recipients = dispatch.recipients.select_related("area", "org__area")
    if dispatch.deadline is None or dispatch.deadline >= today:
        late: list[Recipient] = []
    elif dispatch.is_task:
        late = list(recipients.filter(report__state__in=states.OWED))
    else:
        late = list(recipients.filter(receipt__acknowledged_at__isnull=True))
    if not late:
        return 0
    now = timezone.now()
    if dispatch.is_task:
        Report.objects.filter(recipient__in=late).update(last_chased_at=now)
    notify_recipients(
        late,
        title=_t("催报：%(title)s") % {"title": dispatch.title},
        body=_t("已过截止日期 %(date)s，请尽快办理") % {"date": dispatch.deadline},
    )
    audit_update(actor, dispatch, {"chased": [r.pk for r in late]})
    return len(late)


@transaction.atomic
def bulletin_publish(*, actor: Actor, dispatch: Dispatch, summary: str = "") -> Bulletin:
    """通报: the accepted reports' figures per recipient and their totals, published to
    every recipient. Outcomes only (linkage.bulletin)."""
    access.require_manage_dispatch(actor, dispatch)
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if not dispatch.is_task:
        raise conflict(MSG_NOT_A_TASK, Code.NOT_A_TASK, "state")
    if dispatch.state not in (Dispatch.State.SENT, Dispatch.State.CLOSED):
        raise conflict(MSG_DISPATCH_CLOSED, Code.DISPATCH_CLOSED, "state")
    if Bulletin.objects.filter(dispatch=dispatch).exists():
        raise conflict(MSG_BULLETIN_EXISTS, Code.BULLETIN_EXISTS, "state")
    summary = text(summary, field="summary", max_length=SUMMARY_MAX, kind="multiline")
    figures = bulletin.build_figures(dispatch)
    if not figures["accepted"]:
        raise conflict(MSG_NOTHING_ACCEPTED, Code.NOTHING_ACCEPTED, "state")
    published = Bulletin.objects.create(
        dispatch=dispatch, summary=summary, figures=figures, published_by=stored_actor(actor)
    )
    audit_create(actor, published, {"dispatch": dispatch.pk, "accepted": figures["accepted"]})
    notify_recipients(
        list(dispatch.recipients.select_related("area", "org__area")),
        title=_t("通报：%(title)s") % {"title": dispatch.title},
        body=summary[:200],
    )
    return published

"""What enters and leaves the linkage API — and the pages, which parse their forms into
the same input schemas (`parse`), so lengths and characters are checked in one place
for both (core.inputs through `model_text`). Outputs carry no personal data: names of
areas and orgs, states, dates, figures."""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field
from pydantic import ValidationError as PydanticError

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import limited_text, model_decimal, model_text, too_long
from jiceng.linkage.errors import LinkageErrorCode
from jiceng.linkage.models import (
    Bulletin,
    DeliveryPreference,
    Dispatch,
    DispatchAttachment,
    Recipient,
    Report,
    ReportField,
    ReportValue,
)


def parse(schema: type[Schema], data: dict[str, Any]) -> Schema:
    """Validate `data` with `schema`; the first problem becomes a refusal naming the
    field, as the API's 422 does."""
    try:
        return schema.model_validate(data)
    except PydanticError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        message = first.get("msg", "")
        if first.get("type") == "string_too_long":
            # The policy's Chinese wording (core.inputs), as the API's error body says it.
            limit = (first.get("ctx") or {}).get("max_length", 0)
            message = too_long(int(limit), len(str(first.get("input", ""))))
        raise ValidationFailed(message, field=field, code=str(LinkageErrorCode.INPUT)) from None


# ---- input ------------------------------------------------------------------------------------


class FieldIn(Schema):
    label: model_text(ReportField, "label")
    kind: model_text(ReportField, "kind", kind="code")
    outcome_key: model_text(ReportField, "outcome_key", kind="code") = ""
    choices: model_text(ReportField, "choices", kind="multiline") = ""
    required: bool = True


class DispatchIn(Schema):
    sender_area: int
    # A department sending from `sender_area`, the area it serves (its staff only).
    sender_department: int | None = None
    kind: model_text(Dispatch, "kind", kind="code")
    title: model_text(Dispatch, "title")
    # "text", not "body": the API's error shape drops "body" from a field's path.
    text: model_text(Dispatch, "body", kind="multiline") = ""
    deadline: datetime.date | None = None
    period: model_text(Dispatch, "period", kind="code") = ""
    targeting: model_text(Dispatch, "targeting", kind="code") = "list"
    target_level: model_text(Dispatch, "target_level", kind="code") = "community"
    target_areas: list[int] = Field(default_factory=list, max_length=500)
    target_orgs: list[int] = Field(default_factory=list, max_length=500)
    rule_outcome: model_text(Dispatch, "rule_outcome", kind="code") = ""
    rule_period: model_text(Dispatch, "rule_period", kind="code") = ""
    rule_comparison: model_text(Dispatch, "rule_comparison", kind="code") = ""
    rule_threshold: model_decimal(Dispatch, "rule_threshold") | None = None
    # For an org rule: all orgs under the sender, community orgs, or unit orgs.
    target_org_group: model_text(Dispatch, "target_org_group", kind="code") = "all"
    duty_reference: model_text(Dispatch, "duty_reference", kind="code") = ""
    fields: list[FieldIn] = Field(default_factory=list, max_length=30)


class ReportFieldIn(FieldIn):
    """One more field of a draft task."""


class LinkageConfirmIn(Schema):
    pass


class WithdrawIn(Schema):
    reason: model_text(Dispatch, "withdraw_reason")


class ReportReturnIn(Schema):
    reason: model_text(Report, "return_reason")


class SummaryIn(Schema):
    summary: model_text(Bulletin, "summary", kind="multiline") = ""


class DispatchAttachmentIn(Schema):
    caption: model_text(DispatchAttachment, "caption") = ""


class AnswerIn(Schema):
    field: int
    value: model_text(ReportValue, "value", kind="multiline") = ""
    note: model_text(ReportValue, "note") = ""


class OutsideListMarkIn(Schema):
    """A recipient street marks a department's dispatch as outside its duty list."""

    reason: model_text(Recipient, "outside_list_reason")


class ReportIn(Schema):
    answers: list[AnswerIn] = Field(default_factory=list, max_length=30)
    version: int | None = None


class PreferenceIn(Schema):
    channel: model_text(DeliveryPreference, "channel", kind="code")
    address: limited_text(200, kind="number") = ""
    enabled: bool = True


# ---- output -----------------------------------------------------------------------------------


class FieldOut(Schema):
    id: int
    label: str
    kind: str
    outcome_key: str
    options: list[str]
    required: bool


class DispatchOut(Schema):
    id: int
    kind: str
    state: str
    title: str
    body: str
    sender_area_id: int
    sender_area_name: str = Field(alias="sender_area.name")
    sender_department_id: int | None
    sender_department_name: str | None
    deadline: datetime.date | None
    period: str
    targeting: str
    duty_reference: str | None
    sent_at: datetime.datetime | None
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_sender_department_name(obj) -> str | None:
        department = obj.sender_department
        return department.name if department is not None else None


class DispatchDetailOut(DispatchOut):
    fields: list[FieldOut]
    # The rule a dispatch targeted by (an area outcome, or an org measure for an org rule).
    rule_outcome: str
    rule_period: str
    rule_comparison: str
    rule_threshold: Decimal | None
    target_org_group: str

    @staticmethod
    def resolve_fields(obj) -> list:
        return list(obj.fields.all())


def _report(obj):
    return getattr(obj, "report", None)


class RecipientOut(Schema):
    """The sender's row per recipient: delivery (opened, acknowledged) and completion."""

    id: int
    name: str
    area_id: int | None
    org_id: int | None
    opened: bool
    acknowledged: bool
    report_id: int | None
    report_state: str | None
    late: bool
    outside_list: bool
    outside_list_reason: str

    @staticmethod
    def resolve_outside_list(obj) -> bool:
        return obj.is_outside_list

    @staticmethod
    def resolve_opened(obj) -> bool:
        return obj.receipt.opened_at is not None

    @staticmethod
    def resolve_acknowledged(obj) -> bool:
        return obj.receipt.acknowledged_at is not None

    @staticmethod
    def resolve_report_id(obj) -> int | None:
        report = _report(obj)
        return report.pk if report else None

    @staticmethod
    def resolve_report_state(obj) -> str | None:
        report = _report(obj)
        return report.state if report else None

    @staticmethod
    def resolve_late(obj) -> bool:
        from jiceng.linkage import states

        report = _report(obj)
        return bool(report) and states.is_late(obj.dispatch.deadline, report.state)


class ValueOut(Schema):
    field: int = Field(alias="field_id")
    value: str
    computed: Decimal | None
    corrected: bool
    note: str


class ReportOut(Schema):
    id: int
    recipient: int = Field(alias="recipient_id")
    state: str
    submitted_at: datetime.datetime | None
    return_reason: str
    version: int


class ReceivedOut(Schema):
    """A recipient's own view of what was sent to it."""

    id: int
    name: str
    dispatch: DispatchDetailOut
    acknowledged: bool
    report_id: int | None
    report_state: str | None
    return_reason: str
    late: bool
    outside_list: bool
    outside_list_reason: str

    resolve_outside_list = staticmethod(RecipientOut.resolve_outside_list)
    resolve_acknowledged = staticmethod(RecipientOut.resolve_acknowledged)
    resolve_report_id = staticmethod(RecipientOut.resolve_report_id)
    resolve_report_state = staticmethod(RecipientOut.resolve_report_state)
    resolve_late = staticmethod(RecipientOut.resolve_late)

    @staticmethod
    def resolve_return_reason(obj) -> str:
        report = _report(obj)
        return report.return_reason if report else ""


class PrefilledOut(Schema):
    field: int
    label: str
    outcome_key: str
    value: str
    numerator: int | None
    denominator: int | None


class BulletinOut(Schema):
    dispatch: int = Field(alias="dispatch_id")
    summary: str
    figures: dict
    published_at: datetime.datetime


class ChaseOut(Schema):
    chased: int


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class UnreadOut(Schema):
    unread: int


class PreferenceOut(Schema):
    channel: str
    enabled: bool
    has_address: bool

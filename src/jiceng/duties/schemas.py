"""What enters and leaves the duties API — and the pages, which parse their forms into
the same input schemas (`parse`), so lengths and characters are checked in one place for
both, and a refusal carries the same code (`errors.DutyErrorCode`) and the same Chinese
message naming the field on a page and in the API's error body."""

import datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from django.db import models
from ninja import Schema
from pydantic import AfterValidator, Field, ValidationInfo

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import (
    Column,
    Kind,
    as_pydantic,
    has_control,
    max_length_of,
    model_decimal,
    parse_refusing,
    refusing_schema,
)
from jiceng.duties import validators
from jiceng.duties.errors import MSG_TEXT_CONTROL, DutyErrorCode, invalid
from jiceng.duties.models import Duty, FieldOfficeAssessment, OutsideListReport, PowerRequest


def _text(value: str, *, model: type[models.Model], field: str, kind: Kind) -> str:
    try:
        return validators.text(value, model=model, field=field, kind=kind)
    except ValidationFailed as refused:
        refused.field = None  # the error's location names the field already
        raise as_pydantic(refused) from None


def Text(model: type[models.Model], field: str, kind: Kind = "text"):
    """A text field stored in `model.field`: the column's limit (in OpenAPI as
    maxLength), checked after cleaning as the service stores it."""
    limit = max_length_of(model, field)
    return Annotated[
        str,
        Field(json_schema_extra={"maxLength": limit}),
        AfterValidator(partial(_text, model=model, field=field, kind=kind)),
        Column(f"duties.{model.__name__}.{field}"),
    ]


def _code(value: str, info: ValidationInfo, *, kind: Kind) -> str:
    """A choice's value: no control characters (the service checks it is one of the
    choices); refused naming the field like any other text."""
    if has_control(value):
        label = validators.label_of(info.field_name or "")
        message = str(MSG_TEXT_CONTROL).format(label=label)
        refused = invalid(message, DutyErrorCode.TEXT_CONTROL)
        raise as_pydantic(refused)
    return value


def Code(limit: int, title: str):
    """A choice's stored value (a state, a kind, a grade), named `title` in Chinese."""
    return Annotated[
        str, Field(max_length=limit, title=title), AfterValidator(partial(_code, kind="code"))
    ]


# Whatever pydantic refuses leaves as the app's typed refusal (validators.refusal), for
# the API's error body and the pages alike.
In = refusing_schema(validators.refusal)


def parse(schema: type[Schema], data: dict[str, Any]) -> Any:
    """Validate `data` with `schema`; the first problem is the app's typed error."""
    return parse_refusing(schema, data, validators.refusal)


# ---- duty applications ------------------------------------------------------------------


class DutyIn(In):
    department: int
    title: Text(Duty, "title")
    description: Text(Duty, "description", "multiline")
    legal_basis: Text(Duty, "legal_basis", "multiline")
    expected_volume: Text(Duty, "expected_volume")
    target_level: Code(12, "下沉层级") = Duty.Level.STREET
    staff_count: int = Field(0, ge=0, le=100_000)
    funds_yuan: model_decimal(Duty, "funds_yuan") = Decimal(0)
    resources_note: Text(Duty, "resources_note", "multiline") = ""
    streets: list[int] = []
    # Submit for review at once (else kept as a draft).
    submit: bool = False


class DutyDecisionIn(In):
    """A step on an application; refusing and revoking need the reason."""

    reason: Text(Duty, "reason", "multiline") = ""


class DutyTargetOut(Schema):
    street_id: int
    street_name: str = Field(alias="street.name")


class DutyOut(Schema):
    id: int
    department_id: int
    department_name: str = Field(alias="department.name")
    district_id: int
    title: str
    description: str
    legal_basis: str
    expected_volume: str
    target_level: str
    staff_count: int
    funds_yuan: Decimal
    resources_note: str
    state: str
    state_label: str = Field(alias="get_state_display")
    reason: str
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    created_at: datetime.datetime
    targets: list[DutyTargetOut]


class StreetDutyOut(Schema):
    """One line of a street's duty list (街道职责清单): an admitted duty with what goes
    with it to this street."""

    duty_id: int
    street_id: int
    street_name: str = Field(alias="street.name")
    title: str = Field(alias="duty.title")
    department_name: str = Field(alias="duty.department.name")
    legal_basis: str = Field(alias="duty.legal_basis")
    expected_volume: str = Field(alias="duty.expected_volume")
    target_level: str = Field(alias="duty.target_level")
    staff_count: int = Field(alias="duty.staff_count")
    funds_yuan: Decimal = Field(alias="duty.funds_yuan")
    admitted_at: datetime.datetime | None = Field(alias="duty.decided_at")


# ---- tasks outside the list -------------------------------------------------------------


class OutsideListIn(In):
    street: int
    department: int
    description: Text(OutsideListReport, "description", "multiline")
    task_reference: Text(OutsideListReport, "task_reference", "code") = ""
    reported_on: datetime.date | None = None


class OutsideListOut(Schema):
    id: int
    street_id: int
    street_name: str = Field(alias="street.name")
    department_id: int
    department_name: str = Field(alias="department.name")
    description: str
    task_reference: str
    reported_on: datetime.date


# ---- the five powers --------------------------------------------------------------------


class AssessmentIn(In):
    street: int
    department: int
    office_name: Text(FieldOfficeAssessment, "office_name")
    head_name: Text(FieldOfficeAssessment, "head_name", "name")
    year: int
    grade: Code(12, "考核等次")
    comment: Text(FieldOfficeAssessment, "comment", "multiline") = ""


class AssessmentOut(Schema):
    id: int
    street_id: int
    street_name: str = Field(alias="street.name")
    department_id: int
    department_name: str = Field(alias="department.name")
    office_name: str
    head_name: str
    year: int
    grade: str
    grade_label: str = Field(alias="get_grade_display")
    comment: str
    assessed_at: datetime.datetime


class PowerRequestIn(In):
    kind: Code(16, "类型")
    street: int
    # None: a planning or major-matter proposal addressed to the district itself.
    department: int | None = None
    subject: Text(PowerRequest, "subject")
    body: Text(PowerRequest, "body", "multiline")
    due_on: datetime.date


class PowerAnswerIn(In):
    answer: Code(12, "答复意见")
    reason: Text(PowerRequest, "answer_reason", "multiline") = ""


class PowerWithdrawIn(In):
    """Withdrawing an open request takes nothing more."""


class PowerRequestOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    street_id: int
    street_name: str = Field(alias="street.name")
    district_id: int
    department_id: int | None
    department_name: str
    subject: str
    body: str
    due_on: datetime.date
    state: str
    state_label: str = Field(alias="get_state_display")
    overdue: bool
    answer: str
    answer_reason: str
    answered_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name if obj.department_id else ""

    @staticmethod
    def resolve_overdue(obj) -> bool:
        from django.utils import timezone

        return obj.state == PowerRequest.State.OPEN and obj.due_on < timezone.localdate()

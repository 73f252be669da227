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
from pydantic import AfterValidator, Field, ValidationInfo, model_validator
from pydantic import ValidationError as PydanticError

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import Column, Kind, has_control, max_length_of, model_decimal
from jiceng.duties import validators
from jiceng.duties.errors import MSG_TEXT_CONTROL, DutyErrorCode, invalid
from jiceng.duties.models import Duty, FieldOfficeAssessment, OutsideListReport, PowerRequest


def _text(value: str, *, model: type[models.Model], field: str, kind: Kind) -> str:
    try:
        return validators.text(value, model=model, field=field, kind=kind)
    except ValidationFailed as refused:
        refused.field = None  # the error's location names the field already
        raise validators.as_pydantic(refused) from None


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


def _code(value: str, info: ValidationInfo) -> str:
    """A choice's value: no control characters (the service checks it is one of the
    choices); refused naming the field like any other text."""
    if has_control(value):
        label = validators.label_of(info.field_name or "")
        message = str(MSG_TEXT_CONTROL).format(label=label)
        refused = invalid(message, DutyErrorCode.TEXT_CONTROL)
        raise validators.as_pydantic(refused)
    return value


def Code(limit: int):
    """A choice's stored value (a state, a kind, a grade)."""
    return Annotated[str, Field(max_length=limit), AfterValidator(_code)]


class In(Schema):
    """The base of every input schema: whatever pydantic refuses leaves as the app's
    typed refusal (validators.refusal), for the API's error body and the pages alike."""

    @model_validator(mode="wrap")
    @classmethod
    def _refusal(cls, data, handler):
        try:
            return handler(data)
        except PydanticError as error:
            raise validators.as_pydantic(validators.refusal(error.errors()[0])) from None


def parse(schema: type[Schema], data: dict[str, Any]) -> Any:
    """Validate `data` with `schema`; the first problem becomes the app's typed error
    naming the field, with the code the API answers for the same input."""
    try:
        return schema.model_validate(data)
    except PydanticError as error:
        raise validators.refusal(error.errors()[0]) from None


# ---- duty applications ------------------------------------------------------------------


class DutyIn(In):
    department: int
    title: Text(Duty, "title")
    description: Text(Duty, "description", "multiline")
    legal_basis: Text(Duty, "legal_basis", "multiline")
    expected_volume: Text(Duty, "expected_volume")
    target_level: Code(12) = Duty.Level.STREET
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
    street_name: str

    @staticmethod
    def resolve_street_name(obj) -> str:
        return obj.street.name


class DutyOut(Schema):
    id: int
    department_id: int
    department_name: str
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
    state_label: str
    reason: str
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    created_at: datetime.datetime
    targets: list[DutyTargetOut]

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_targets(obj):
        return list(obj.targets.all())


class StreetDutyOut(Schema):
    """One line of a street's duty list (街道职责清单): an admitted duty with what goes
    with it to this street."""

    duty_id: int
    street_id: int
    street_name: str
    title: str
    department_name: str
    legal_basis: str
    expected_volume: str
    target_level: str
    staff_count: int
    funds_yuan: Decimal
    admitted_at: datetime.datetime | None

    @staticmethod
    def resolve_street_name(obj) -> str:
        return obj.street.name

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.duty.title

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.duty.department.name

    @staticmethod
    def resolve_legal_basis(obj) -> str:
        return obj.duty.legal_basis

    @staticmethod
    def resolve_expected_volume(obj) -> str:
        return obj.duty.expected_volume

    @staticmethod
    def resolve_target_level(obj) -> str:
        return obj.duty.target_level

    @staticmethod
    def resolve_staff_count(obj) -> int:
        return obj.duty.staff_count

    @staticmethod
    def resolve_funds_yuan(obj) -> Decimal:
        return obj.duty.funds_yuan

    @staticmethod
    def resolve_admitted_at(obj):
        return obj.duty.decided_at


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
    street_name: str
    department_id: int
    department_name: str
    description: str
    task_reference: str
    reported_on: datetime.date

    @staticmethod
    def resolve_street_name(obj) -> str:
        return obj.street.name

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name


# ---- the five powers --------------------------------------------------------------------


class AssessmentIn(In):
    street: int
    department: int
    office_name: Text(FieldOfficeAssessment, "office_name")
    head_name: Text(FieldOfficeAssessment, "head_name", "name")
    year: int
    grade: Code(12)
    comment: Text(FieldOfficeAssessment, "comment", "multiline") = ""


class AssessmentOut(Schema):
    id: int
    street_id: int
    street_name: str
    department_id: int
    department_name: str
    office_name: str
    head_name: str
    year: int
    grade: str
    grade_label: str
    comment: str
    assessed_at: datetime.datetime

    @staticmethod
    def resolve_street_name(obj) -> str:
        return obj.street.name

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_grade_label(obj) -> str:
        return str(obj.get_grade_display())


class PowerRequestIn(In):
    kind: Code(16)
    street: int
    # None: a planning or major-matter proposal addressed to the district itself.
    department: int | None = None
    subject: Text(PowerRequest, "subject")
    body: Text(PowerRequest, "body", "multiline")
    due_on: datetime.date


class PowerAnswerIn(In):
    answer: Code(12)
    reason: Text(PowerRequest, "answer_reason", "multiline") = ""


class PowerWithdrawIn(In):
    """Withdrawing an open request takes nothing more."""


class PowerRequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    street_id: int
    street_name: str
    district_id: int
    department_id: int | None
    department_name: str
    subject: str
    body: str
    due_on: datetime.date
    state: str
    state_label: str
    overdue: bool
    answer: str
    answer_reason: str
    answered_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_street_name(obj) -> str:
        return obj.street.name

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name if obj.department_id else ""

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_overdue(obj) -> bool:
        from django.utils import timezone

        return obj.state == PowerRequest.State.OPEN and obj.due_on < timezone.localdate()

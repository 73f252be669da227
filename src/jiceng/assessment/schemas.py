"""What enters and leaves the assessment API — and the pages, which parse their forms
into the same input schemas (`parse`), so lengths and characters are checked in one
place for both and a refusal names the same field. Outputs carry no personal data:
reviewers appear by capacity, owners by the name the upper level entered."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field
from pydantic import ValidationError as PydanticError

from jiceng.assessment.errors import MSG_BAD_CHOICE, MSG_TEXT_REQUIRED, AssessmentErrorCode
from jiceng.assessment.models import (
    CAPTION_MAX,
    COMMENT_MAX,
    LABEL_MAX,
    MEASURE_MAX,
    NAME_MAX,
    OWNER_MAX,
    REPORT_MAX,
    TEXT_MAX,
)
from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import limited_text, too_long

Text = limited_text


def parse(schema: type[Schema], data: dict[str, Any]) -> Schema:
    """Validate `data` with `schema`; the first problem becomes a refusal naming the
    field, in the words the API uses."""
    try:
        return schema.model_validate(data)
    except PydanticError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        kind = first.get("type", "")
        # Text breaking the one input policy keeps the generic code, as the API answers.
        code = "invalid"
        if kind == "string_too_long":
            given = first.get("input")
            limit = (first.get("ctx") or {}).get("max_length", 0)
            message = too_long(limit, len(given) if isinstance(given, str) else 0)
        elif kind == "invalid":
            message = str(first.get("msg", ""))
        elif kind == "missing":
            message, code = str(MSG_TEXT_REQUIRED), AssessmentErrorCode.TEXT_REQUIRED
        else:
            message, code = str(MSG_BAD_CHOICE), AssessmentErrorCode.BAD_CHOICE
        raise ValidationFailed(message, field=field, code=str(code)) from None


class AssessmentEmptyIn(Schema):
    pass


# ---- schemes ---------------------------------------------------------------------------


class ItemIn(Schema):
    outcome_key: Text(80, kind="code")
    weight: int = Field(ge=1, le=100)
    rule: Text(16, kind="code") = "linear"
    floor: float | None = Field(default=None, ge=-1e9, le=1e9)
    target: float | None = Field(default=None, ge=-1e9, le=1e9)
    thresholds: list[list[float]] = Field(default_factory=list, max_length=10)
    label: Text(LABEL_MAX) = ""


class SchemeIn(Schema):
    district: int
    year: int = Field(ge=2000, le=2100)
    name: Text(NAME_MAX)
    groups: list[Text(16, kind="code")] = Field(max_length=3)
    review_weight: int = Field(ge=0, le=100)
    items: list[ItemIn] = Field(max_length=30)


class SchemeUpdateIn(Schema):
    name: Text(NAME_MAX)
    groups: list[Text(16, kind="code")] = Field(max_length=3)
    review_weight: int = Field(ge=0, le=100)
    items: list[ItemIn] = Field(max_length=30)


class ItemOut(Schema):
    id: int
    outcome_key: str
    label: str
    weight: int
    rule: str
    floor: float | None
    target: float | None
    thresholds: list[list[float]]


class SchemeOut(Schema):
    id: int
    district_id: int
    year: int
    version: int
    name: str
    state: str
    groups: str
    review_weight: int
    opened_at: datetime.datetime | None
    published_at: datetime.datetime | None
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class OutcomeOut(Schema):
    key: str
    label: str
    app: str
    unit: str
    description: str


# ---- assessments and task lists --------------------------------------------------------


class AssessmentFigureOut(Schema):
    item: int | None = None
    key: str
    label: str
    weight: int
    value: float | None
    numerator: int | None
    denominator: int | None
    shown: str
    points: str
    url: str


class AssessmentOut(Schema):
    id: int
    scheme_id: int
    org_id: int
    org_name: str
    group: str
    year: int
    item_score: Decimal | None
    review_score: Decimal | None
    score: Decimal | None
    grade: str
    rank: int | None
    figures: list[AssessmentFigureOut]

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class AssessmentTaskIn(Schema):
    task: Text(TEXT_MAX, kind="multiline")
    measure: Text(MEASURE_MAX, kind="multiline") = ""
    deadline: datetime.date


class AssessmentTaskDoneIn(Schema):
    note: Text(TEXT_MAX, kind="multiline")
    done_on: datetime.date | None = None


class AssessmentTaskOut(Schema):
    id: int
    assessment_id: int
    source: str
    text: str
    measure: str
    deadline: datetime.date
    done_on: datetime.date | None
    done_note: str


# ---- reports and reviews ---------------------------------------------------------------


class ReportEditIn(Schema):
    text: Text(REPORT_MAX, kind="multiline")
    version: int | None = None


class ReviewerIn(Schema):
    account: int
    capacity: Text(20, kind="code")


class ReviewIn(Schema):
    grade: Text(16, kind="code")
    comment: Text(COMMENT_MAX, kind="multiline") = ""


class ConcludeIn(Schema):
    problems: list[Text(TEXT_MAX, kind="multiline")] = Field(default_factory=list, max_length=50)


class ReviewerOut(Schema):
    id: int
    report_id: int
    capacity: str
    grade: str
    comment: str
    given_at: datetime.datetime | None


class ReportOut(Schema):
    id: int
    assessment_id: int
    state: str
    text: str
    version: int
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    published_at: datetime.datetime | None


# ---- problems and rectification --------------------------------------------------------


class ProblemIn(Schema):
    org: int
    source: Text(16, kind="code") = "other"
    text: Text(TEXT_MAX, kind="multiline")
    year: int = Field(ge=2000, le=2100)


class RectifyIn(Schema):
    owner: Text(OWNER_MAX, kind="name")
    measures: Text(MEASURE_MAX, kind="multiline")
    deadline: datetime.date


class AssessmentProblemOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    source: str
    source_ref: str
    text: str
    rectification_id: int | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_rectification_id(obj) -> int | None:
        item = getattr(obj, "rectification", None)
        return item.pk if item is not None else None


class EvidenceIn(Schema):
    caption: Text(CAPTION_MAX) = ""


class SubmitIn(Schema):
    note: Text(TEXT_MAX, kind="multiline")


class AssessmentReturnIn(Schema):
    reason: Text(TEXT_MAX, kind="multiline")


class RectificationOut(Schema):
    id: int
    problem_id: int
    org_id: int
    owner: str
    measures: str
    deadline: datetime.date
    state: str
    overdue: bool
    escalated_to_id: int | None
    closure_note: str
    return_reason: str
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class AssessmentRankingRowOut(Schema):
    org_id: int
    org_name: str
    group: str
    score: Decimal | None
    grade: str
    rank: int | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

"""What enters and leaves the supervision API, and what the pages parse their forms
into (`parse`), so lengths and characters are checked in one place for both."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field
from pydantic import ValidationError as PydanticError

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import (
    MSG_CONTROL,
    has_control,
    limited_text,
    model_decimal,
    model_text,
    too_long,
)
from jiceng.supervision.models import (
    Inspection,
    StarCriterion,
    Talk,
    WeakOrgCase,
    WeakOrgRule,
)
from jiceng.supervision.services.checks import PROBLEM_MAX, PROBLEMS_MAX

# The Chinese name of each input, for refusals a person reads on a page.
FIELD_LABELS = {
    "district": _("区"),
    "year": _("年度"),
    "reason": _("理由"),
    "leader": _("整顿责任领导"),
    "measures": _("整顿措施"),
    "deadline": _("整顿时限"),
    "override_reason": _("确认销号理由"),
    "name": _("名称"),
    "params": _("参数"),
    "outcome_key": _("结果指标代码"),
    "threshold": _("达标值"),
    "rule_code": _("研判规则代码"),
    "order": _("顺序"),
    "org": _("党组织"),
    "inspectors": _("检查人员"),
    "planned_on": _("计划日期"),
    "focus": _("检查内容"),
    "held_on": _("日期"),
    "findings": _("检查发现"),
    "problems": _("发现的问题"),
    "owner": _("整改责任人"),
    "talker": _("约谈人"),
    "talked_to": _("被约谈人"),
    "commitments": _("整改承诺"),
    "follow_up_on": _("回访日期"),
    "result": _("回访结果"),
}


def refused(field: str, message) -> ValidationFailed:
    label = FIELD_LABELS.get(field.split(".")[0], field)
    return ValidationFailed(f"{label}：{message}", field=field)


def parse(schema: type[Schema], data: dict[str, Any]) -> Schema:
    """Validate `data`; the first problem becomes ValidationFailed naming the field, in
    words that name it too (a page shows the message alone)."""
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and has_control(v) for v in values):
            raise refused(key, MSG_CONTROL)
    try:
        return schema.model_validate(data)
    except PydanticError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "__all__"
        kind = first.get("type", "")
        context = first.get("ctx") or {}
        if kind == "missing":
            message = _("请填写此项")
        elif kind == "string_too_long":
            message = too_long(context.get("max_length", 0), len(str(first.get("input", ""))))
        elif kind.startswith(("date", "int", "decimal", "float", "bool", "dict", "list")):
            message = _("格式不正确")
        else:
            message = first.get("msg", "").removeprefix("Value error, ")
        raise refused(field, message) from None


class StarConfirmIn(Schema):
    pass


class DistrictYearIn(Schema):
    district: int
    year: int


class WeakOrgDecisionIn(Schema):
    reason: model_text(WeakOrgCase, "decision_reason")  # type: ignore[valid-type]


class WeakOrgPlanIn(Schema):
    leader: model_text(WeakOrgCase, "leader", kind="name")  # type: ignore[valid-type]
    measures: model_text(WeakOrgCase, "measures", kind="multiline")  # type: ignore[valid-type]
    deadline: datetime.date


class WeakOrgReviewIn(Schema):
    override_reason: model_text(WeakOrgCase, "override_reason") = ""  # type: ignore[valid-type]


class WeakOrgRuleIn(Schema):
    name: model_text(WeakOrgRule, "name") | None = None  # type: ignore[valid-type]
    enabled: bool = True
    params: dict[Annotated[str, Field(max_length=40)], float] = {}


class StarCriterionIn(Schema):
    name: model_text(StarCriterion, "name")  # type: ignore[valid-type]
    outcome_key: model_text(StarCriterion, "outcome_key", kind="code") = ""  # type: ignore[valid-type]
    threshold: model_decimal(StarCriterion, "threshold") | None = None  # type: ignore[valid-type]
    rule_code: model_text(StarCriterion, "rule_code", kind="code") = ""  # type: ignore[valid-type]
    enabled: bool = True
    order: int = Field(100, ge=0, le=32767)


class InspectionPlanIn(Schema):
    org: int
    inspectors: model_text(Inspection, "inspectors")  # type: ignore[valid-type]
    planned_on: datetime.date
    focus: model_text(Inspection, "focus") = ""  # type: ignore[valid-type]


class InspectionRecordIn(Schema):
    held_on: datetime.date
    findings: model_text(Inspection, "findings", kind="multiline")  # type: ignore[valid-type]
    problems: list[limited_text(PROBLEM_MAX)] = Field([], max_length=PROBLEMS_MAX)  # type: ignore[valid-type]
    owner: limited_text(50, kind="name") = ""  # type: ignore[valid-type]


class TalkRecordIn(Schema):
    org: int
    held_on: datetime.date
    talker: model_text(Talk, "talker", kind="name")  # type: ignore[valid-type]
    talked_to: model_text(Talk, "talked_to", kind="name")  # type: ignore[valid-type]
    reason: model_text(Talk, "reason")  # type: ignore[valid-type]
    commitments: model_text(Talk, "commitments", kind="multiline") = ""  # type: ignore[valid-type]
    follow_up_on: datetime.date


class TalkFollowUpIn(Schema):
    result: model_text(Talk, "follow_up_result", kind="multiline")  # type: ignore[valid-type]


# ---- out --------------------------------------------------------------------------------------


class HitOut(Schema):
    rule: str
    name: str
    value: str
    detail: str
    url: str


class WeakOrgEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    note: str
    at: datetime.datetime


class WeakOrgOut(Schema):
    id: int
    org_id: int
    org_name: str
    area_name: str
    year: int
    state: str
    state_display: str
    hits: list[HitOut]
    decision_reason: str
    leader: str
    measures: str
    deadline: datetime.date | None
    reviewed_at: datetime.datetime | None
    review_hits: list[HitOut]
    override_reason: str

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.org.area.name

    @staticmethod
    def resolve_state_display(obj) -> str:
        return str(obj.get_state_display())


class WeakOrgDetailOut(WeakOrgOut):
    events: list[WeakOrgEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())


class EvaluationOut(Schema):
    orgs: int
    hit: int
    created: int
    updated: int


class RuleOut(Schema):
    code: str
    name: str
    params: dict[str, float]
    enabled: bool


class CriterionOut(Schema):
    id: int
    name: str
    outcome_key: str
    threshold: Decimal | None
    rule_code: str
    enabled: bool
    order: int


class EvidenceOut(Schema):
    criterion: int
    name: str
    value: str
    threshold: str
    met: bool
    url: str


class RatingOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    stars: int
    evidence: list[EvidenceOut]
    confirmed_at: datetime.datetime | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class ComputedOut(Schema):
    rated: int


class InspectionOut(Schema):
    id: int
    org_id: int
    org_name: str
    inspectors: str
    planned_on: datetime.date
    focus: str
    state: str
    held_on: datetime.date | None
    findings: str
    problems: list[str]

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class TalkOut(Schema):
    id: int
    org_id: int
    org_name: str
    held_on: datetime.date
    talker: str
    talked_to: str
    reason: str
    commitments: str
    follow_up_on: datetime.date
    follow_up_result: str
    followed_up_at: datetime.datetime | None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class AdjustedOut(Schema):
    n: int
    observed: float | None
    expected: float | None
    difference: float | None
    low: float | None
    high: float | None
    unmatched: int


class FairRowOut(Schema):
    area_id: int
    area_name: str
    received: int
    raw_place: int
    fair_place: int
    response: AdjustedOut | None
    resolution: AdjustedOut | None
    satisfaction: AdjustedOut | None


class FairRankingOut(Schema):
    area_id: int
    period: str
    history: str
    min_cell: int
    rows: list[FairRowOut]


def fair_ranking_out(ranking) -> dict:
    def rate(row, name):
        return row.mix.rates.get(name) if row.mix else None

    return {
        "area_id": ranking.parent.pk,
        "period": ranking.period.label,
        "history": ranking.history.label,
        "min_cell": ranking.min_cell,
        "rows": [
            {
                "area_id": row.area.pk,
                "area_name": row.area.name,
                "received": row.mix.received if row.mix else 0,
                "raw_place": row.raw_place,
                "fair_place": row.fair_place,
                **{name: rate(row, name) for name in ("response", "resolution", "satisfaction")},
            }
            for row in ranking.rows
        ],
    }

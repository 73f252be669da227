"""What enters and leaves the orglife API — and the pages, which parse their forms into
the same input schemas (`parse`), so lengths and characters are checked in one place for
both. Outputs carry no personal data beyond names the org's own staff already see."""

import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field
from pydantic import ValidationError as PydanticError

from jiceng.core.inputs import limited_text
from jiceng.orglife import inputs
from jiceng.orglife.errors import (
    MSG_BAD_CHOICE,
    MSG_TEXT_CONTROL,
    MSG_TEXT_REQUIRED,
    MSG_TEXT_TOO_LONG,
    OrgLifeErrorCode,
    invalid,
)
from jiceng.orglife.models import (
    DECISIONS_MAX,
    HOUSEHOLD_MAX,
    LONG_TEXT_MAX,
    MINUTES_MAX,
    NAME_MAX,
    OWNER_MAX,
    PARTICIPANTS_MAX,
    PLACE_MAX,
    REASON_MAX,
    TASK_MAX,
    TEXT_MAX,
    TOPIC_MAX,
)


def _no_control(value: str) -> str:
    if inputs.has_control(value):
        raise ValueError("control")
    return value


def Text(limit: int):
    return Annotated[str, Field(max_length=limit), AfterValidator(_no_control)]


def parse(schema: type[Schema], data: dict[str, Any]) -> Schema:
    """Validate `data` with `schema`; the first problem becomes the app's typed error
    naming the field (the API's own 422 handler does the same for JSON bodies)."""
    try:
        return schema.model_validate(data)
    except PydanticError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int)) or None
        kind = first.get("type", "")
        if kind == "string_too_long":
            limit = first.get("ctx", {}).get("max_length", "")
            message = str(MSG_TEXT_TOO_LONG).format(limit=limit)
            raise invalid(message, OrgLifeErrorCode.TEXT_TOO_LONG, field) from None
        if kind == "value_error":
            raise invalid(MSG_TEXT_CONTROL, OrgLifeErrorCode.TEXT_CONTROL, field) from None
        dated = bool(field) and (field.endswith("_on") or field == "deadline")
        if kind.startswith("date") or (kind == "missing" and dated):
            raise invalid(inputs.MSG_DATE_REQUIRED, OrgLifeErrorCode.DATE_REQUIRED, field) from None
        if kind == "missing":
            raise invalid(MSG_TEXT_REQUIRED, OrgLifeErrorCode.TEXT_REQUIRED, field) from None
        raise invalid(MSG_BAD_CHOICE, OrgLifeErrorCode.BAD_CHOICE, field) from None


# ---- meetings -------------------------------------------------------------------------------


class MarkIn(Schema):
    member: int
    status: limited_text(12, kind="code")
    reason: Text(REASON_MAX) = ""


class MeetingIn(Schema):
    org: int
    kind: limited_text(24, kind="code")
    held_on: datetime.date
    topic: Text(TOPIC_MAX)
    place: Text(PLACE_MAX) = ""
    venue: int | None = None
    presider: Text(NAME_MAX) = ""
    lecturer: Text(NAME_MAX) = ""
    minutes: Text(MINUTES_MAX) = ""
    decisions: Text(DECISIONS_MAX) = ""
    attendance: list[MarkIn] = []


class MeetingUpdateIn(MeetingIn):
    version: int | None = None


class AttendanceOut(Schema):
    member_id: int
    member_name: str
    status: str
    reason: str
    probationary: bool

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.member.name


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str
    kind: str
    held_on: datetime.date
    place: str
    venue_id: int | None
    topic: str
    presider: str
    lecturer: str
    register_count: int
    attended_count: int
    version: int

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


class MeetingDetailOut(MeetingOut):
    minutes: str
    decisions: str
    attendance: list[AttendanceOut]

    @staticmethod
    def resolve_attendance(obj):
        return list(obj.attendance.all())


class TaskIn(Schema):
    decision: Text(TASK_MAX)
    deadline: datetime.date
    owner_member: int | None = None
    owner_name: Text(OWNER_MAX) = ""


class TaskDoneIn(Schema):
    note: Text(500) = ""


class TaskOut(Schema):
    id: int
    meeting_id: int
    decision: str
    owner_member_id: int | None
    owner_name: str
    deadline: datetime.date
    status: str


class AppraisalIn(Schema):
    grades: dict[int, limited_text(16, kind="code")]


class KindComplianceOut(Schema):
    kind: str
    period: str
    times: int
    due: int
    held: int
    missing: list[str]
    in_progress: list[str]


class ComplianceOut(Schema):
    org_id: int
    org_name: str
    start: datetime.date
    end: datetime.date
    due: int
    held: int
    missing: int
    behind: bool
    attendance_rate: float | None
    kinds: list[KindComplianceOut]


def compliance_out(result) -> dict:
    return {
        "org_id": result.org.pk,
        "org_name": result.org.name,
        "start": result.start,
        "end": result.end,
        "due": result.due,
        "held": result.held,
        "missing": result.missing,
        "behind": result.behind,
        "attendance_rate": result.attendance_rate,
        "kinds": [
            {
                "kind": k.kind,
                "period": k.period,
                "times": k.times,
                "due": len(k.due),
                "held": k.held,
                "missing": [p.label for p in k.missing],
                "in_progress": [p.label for p in k.in_progress],
            }
            for k in result.kinds
        ],
    }


# ---- deliberation -------------------------------------------------------------------------


class IssueIn(Schema):
    community: int
    text: Text(TEXT_MAX)
    source: limited_text(12, kind="code") = "staff"


class IssueFromAppealIn(Schema):
    text: Text(TEXT_MAX) = ""


class IssueOut(Schema):
    id: int
    community_id: int
    text: str
    source: str
    appeal_id: int | None
    topic_id: int | None


class TopicIn(Schema):
    community: int
    org: int
    title: Text(TOPIC_MAX)
    description: Text(LONG_TEXT_MAX) = ""
    issues: list[int] = []


class TopicOut(Schema):
    id: int
    community_id: int
    org_id: int
    title: str
    description: str
    state: str
    resolution: str
    resolution_published_on: datetime.date | None
    result: str
    result_published_on: datetime.date | None


class StepIn(Schema):
    held_on: datetime.date
    participants: Text(PARTICIPANTS_MAX) = ""
    note: Text(LONG_TEXT_MAX) = ""


class VoteIn(StepIn):
    eligible: int | None = None
    attended: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None


class DecideIn(VoteIn):
    assembly: limited_text(16, kind="code") = ""


class DisclosureIn(StepIn):
    text: Text(LONG_TEXT_MAX)


class AddIssueIn(Schema):
    issue: int


class StepOut(Schema):
    id: int
    topic_id: int
    kind: str
    held_on: datetime.date
    participants: str
    assembly: str
    eligible: int | None
    attended: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    passed: bool | None


class PublicTopicOut(Schema):
    """A topic as residents see it: no participants, no issue texts, no names."""

    id: int
    title: str
    description: str
    state: str
    resolution: str
    resolution_published_on: datetime.date | None
    result: str
    result_published_on: datetime.date | None


# ---- contact points and household links -------------------------------------------------------


class ContactPointIn(Schema):
    official_name: Text(NAME_MAX)
    official_title: Text(60) = ""
    official_area: int
    org: int
    started_on: datetime.date


class ContactPointOut(Schema):
    id: int
    official_name: str
    official_title: str
    official_area_id: int
    org_id: int
    started_on: datetime.date
    ended_on: datetime.date | None


class ContactVisitIn(Schema):
    visited_on: datetime.date
    notes: Text(LONG_TEXT_MAX) = ""
    problems: list[Text(TEXT_MAX)] = []


class ContactVisitOut(Schema):
    id: int
    point_id: int
    visited_on: datetime.date
    notes: str


class ProblemOut(Schema):
    id: int
    point_id: int
    text: str
    status: str
    owner_name: str
    deadline: datetime.date | None
    appeal_id: int | None
    resolution: str
    resolved_on: datetime.date | None


class AssignIn(Schema):
    owner_name: Text(OWNER_MAX)
    deadline: datetime.date


class ResolveIn(Schema):
    resolution: Text(TEXT_MAX)
    resolved_on: datetime.date | None = None


class CategoryIn(Schema):
    category: limited_text(40, kind="code")  # an appeal or need category's code


class HouseholdLinkIn(Schema):
    member: int
    grid: int
    household: Text(HOUSEHOLD_MAX)
    started_on: datetime.date


class HouseholdLinkOut(Schema):
    id: int
    member_id: int
    member_name: str
    grid_id: int
    household: str
    started_on: datetime.date

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.member.name


class HouseholdVisitIn(Schema):
    visited_on: datetime.date
    raised: Text(TEXT_MAX) = ""


class HouseholdVisitOut(Schema):
    id: int
    link_id: int
    visited_on: datetime.date
    raised: str
    appeal_id: int | None
    need_id: int | None
    issue_id: int | None


class EmptyIn(Schema):
    pass


class RequirementOut(Schema):
    kind: str
    period: str
    times: int
    org_kinds: str
    basis: str


class RequirementIn(Schema):
    period: limited_text(8, kind="code")
    times: int

"""What enters and leaves the orglife API — and the pages, which parse their forms into
the same input schemas (`parse`), so lengths and characters are checked in one place for
both, and a refusal carries the same code (`errors.OrgLifeErrorCode`) on a page and in
the API's error body. Outputs carry no personal data beyond names the org's own staff
already see."""

import datetime
from functools import partial
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import Kind, as_pydantic, parse_refusing, refusing_schema
from jiceng.orglife import validators
from jiceng.orglife.models import (
    CAPTION_MAX,
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


def _text(value: str, *, limit: int, kind: Kind) -> str:
    try:
        return validators.text(value, field="", max_length=limit, kind=kind)
    except ValidationFailed as refused:
        raise as_pydantic(refused) from None


def Text(limit: int, kind: Kind = "text"):
    """A text field under core.inputs' policy, its limit in OpenAPI as maxLength; the
    length is checked after cleaning, as the service stores it."""
    return Annotated[
        str,
        Field(json_schema_extra={"maxLength": limit}),
        AfterValidator(partial(_text, limit=limit, kind=kind)),
    ]


def Code(limit: int):
    """A choice's stored value (a kind, a status, a category code)."""
    return Text(limit, "code")


# Whatever pydantic refuses leaves as the app's typed refusal (validators.refusal), for
# the API's error body and the pages alike.
In = refusing_schema(validators.refusal)


def parse(schema: type[Schema], data: dict[str, Any]) -> Any:
    """Validate `data` with `schema`; the first problem is the app's typed error."""
    return parse_refusing(schema, data, validators.refusal)


# ---- meetings -------------------------------------------------------------------------------


class MarkIn(In):
    member: int
    status: Code(12)
    reason: Text(REASON_MAX) = ""


class MeetingIn(In):
    org: int
    kind: Code(24)
    held_on: datetime.date
    topic: Text(TOPIC_MAX)
    place: Text(PLACE_MAX) = ""
    venue: int | None = None
    presider: Text(NAME_MAX) = ""
    lecturer: Text(NAME_MAX) = ""
    minutes: Text(MINUTES_MAX, "multiline") = ""
    decisions: Text(DECISIONS_MAX, "multiline") = ""
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


class AttachmentIn(In):
    """With the file itself (multipart field `file`): a photo or a PDF."""

    caption: Text(CAPTION_MAX) = ""


class AttachmentOut(Schema):
    id: int
    meeting_id: int
    kind: str
    caption: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        from django.urls import reverse

        return reverse("api:orglife_attachment_file", args=[obj.pk])


class MeetingEventOut(Schema):
    """One entry of a record's history: for a correction, `previous` is the record as it
    stood before (fields and attendance)."""

    action: str
    version: int
    at: datetime.datetime
    actor_label: str
    previous: dict


class MeetingDetailOut(MeetingOut):
    minutes: str
    decisions: str
    attendance: list[AttendanceOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attendance(obj):
        return list(obj.attendance.all())

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class TaskIn(In):
    decision: Text(TASK_MAX)
    deadline: datetime.date
    owner_member: int | None = None
    owner_name: Text(OWNER_MAX) = ""


class TaskDoneIn(In):
    note: Text(500, "multiline") = ""


class TaskOut(Schema):
    id: int
    meeting_id: int
    decision: str
    owner_member_id: int | None
    owner_name: str
    deadline: datetime.date
    status: str


class AppraisalIn(In):
    grades: dict[int, Code(16)]


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


class MissedOut(Schema):
    kind: str
    period: str


class ComplianceLineOut(Schema):
    """One org of a street's or district's list, from the yearly rollup."""

    org_id: int
    org_name: str
    area_id: int
    area_name: str
    year: int
    due: int
    held: int
    missing: int
    behind: bool
    attendance_rate: float | None
    missed: list[MissedOut]


def compliance_line_out(line, year: int) -> dict:
    return {
        "org_id": line.org.pk,
        "org_name": line.org.name,
        "area_id": line.org.area_id,
        "area_name": line.org.area.name,
        "year": year,
        "due": line.due,
        "held": line.held,
        "missing": line.missing,
        "behind": line.behind,
        "attendance_rate": line.attendance_rate,
        "missed": [{"kind": kind, "period": period} for kind, period in line.missed],
    }


class ChildCountOut(Schema):
    area_id: int
    area_name: str
    orgs: int
    behind: int


class ComplianceCountsOut(Schema):
    area_id: int
    year: int
    orgs: int
    behind: int
    children: list[ChildCountOut]


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


class IssueIn(In):
    community: int
    text: Text(TEXT_MAX, "multiline")
    source: Code(12) = "staff"


class IssueFromAppealIn(In):
    text: Text(TEXT_MAX, "multiline") = ""


class IssueOut(Schema):
    id: int
    community_id: int
    text: str
    source: str
    appeal_id: int | None
    topic_id: int | None


class TopicIn(In):
    community: int
    org: int
    title: Text(TOPIC_MAX)
    description: Text(LONG_TEXT_MAX, "multiline") = ""
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


class StepIn(In):
    held_on: datetime.date
    participants: Text(PARTICIPANTS_MAX) = ""
    note: Text(LONG_TEXT_MAX, "multiline") = ""


class VoteIn(StepIn):
    eligible: int | None = None
    attended: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None


class DecideIn(VoteIn):
    assembly: Code(16) = ""


class DisclosureIn(StepIn):
    text: Text(LONG_TEXT_MAX, "multiline")


class AddIssueIn(In):
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


class ContactPointIn(In):
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
    end_reason: str


class EndingIn(In):
    """Ending a contact point or a household link: the date and why."""

    ended_on: datetime.date
    reason: Text(REASON_MAX)


class ContactVisitIn(In):
    visited_on: datetime.date
    notes: Text(LONG_TEXT_MAX, "multiline") = ""
    problems: list[Text(TEXT_MAX, "multiline")] = []


class ContactVisitOut(Schema):
    id: int
    point_id: int
    visited_on: datetime.date
    notes: str


class ContactPointDetailOut(ContactPointOut):
    visits: list[ContactVisitOut]
    problems: list["ProblemOut"]

    @staticmethod
    def resolve_visits(obj):
        return list(obj.visits.all())

    @staticmethod
    def resolve_problems(obj):
        return list(obj.problems.all())


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


class AssignIn(In):
    owner_name: Text(OWNER_MAX)
    deadline: datetime.date


class ResolveIn(In):
    resolution: Text(TEXT_MAX, "multiline")
    resolved_on: datetime.date | None = None


class CategoryIn(In):
    category: Code(40)  # an appeal or need category's code


class HouseholdLinkIn(In):
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
    ended_on: datetime.date | None
    end_reason: str

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.member.name


class HouseholdVisitIn(In):
    visited_on: datetime.date
    raised: Text(TEXT_MAX, "multiline") = ""


class HouseholdVisitOut(Schema):
    id: int
    link_id: int
    visited_on: datetime.date
    raised: str
    appeal_id: int | None
    need_id: int | None
    issue_id: int | None


class EmptyIn(In):
    pass


class RequirementOut(Schema):
    kind: str
    period: str
    times: int
    org_kinds: str
    basis: str


class RequirementIn(In):
    period: Code(8)
    times: int


class TopicDetailOut(TopicOut):
    steps: list[StepOut]
    issues: list[IssueOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())

    @staticmethod
    def resolve_issues(obj):
        return list(obj.issues.all())


ContactPointDetailOut.model_rebuild()

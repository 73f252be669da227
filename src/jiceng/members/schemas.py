import datetime
from decimal import Decimal

from ninja import Schema

from jiceng.core.exports import PURPOSE_NOTE_MAX
from jiceng.core.inputs import limited_text, model_decimal, model_text
from jiceng.members.models import (
    DualReport,
    Member,
    MobileInflow,
    MobileOutflow,
    ServiceRecord,
    Transfer,
)
from jiceng.members.selectors import member_display

# Text of write payloads, each limited by the column it is stored in (core.inputs). ID
# numbers and phones are stored encrypted, so their limits are those of the forms.
MemberName = model_text(Member, "name", kind="name")
IdNumberText = limited_text(24, kind="number")
PhoneText = limited_text(20, kind="number")
Ethnicity = model_text(Member, "ethnicity")
Education = model_text(Member, "education", kind="code")
MemberStatus = model_text(Member, "status", kind="code")
MemberCategory = model_text(Member, "category", kind="code")
Gender = model_text(Member, "gender", kind="code")
WorkUnitName = model_text(Member, "work_unit_name")
Post = model_text(Member, "post")


class MemberOut(Schema):
    """A member as the API shows one: ID number and phone masked."""

    id: int
    name: str
    gender: str
    ethnicity: str
    birth_date: datetime.date
    id_number: str
    phone: str
    education: str
    joined_on: datetime.date
    full_on: datetime.date | None
    status: str
    status_display: str
    category: str
    category_display: str
    org_id: int
    org_name: str
    residence_community_id: int | None
    work_unit_name: str
    post: str

    @staticmethod
    def resolve_id_number(obj):
        return member_display(obj).id_number

    @staticmethod
    def resolve_phone(obj):
        return member_display(obj).phone

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_status_display(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_category_display(obj):
        return obj.get_category_display()


class MemberIn(Schema):
    org: int
    name: MemberName
    id_number: IdNumberText
    ethnicity: Ethnicity
    education: Education
    joined_on: datetime.date
    status: MemberStatus
    category: MemberCategory
    gender: Gender = ""
    birth_date: datetime.date | None = None
    full_on: datetime.date | None = None
    phone: PhoneText = ""
    residence_community: int | None = None
    work_unit_name: WorkUnitName = ""
    post: Post = ""


class MemberPatch(Schema):
    name: MemberName | None = None
    ethnicity: Ethnicity | None = None
    education: Education | None = None
    full_on: datetime.date | None = None
    status: MemberStatus | None = None
    category: MemberCategory | None = None
    phone: PhoneText | None = None
    work_unit_name: WorkUnitName | None = None
    post: Post | None = None


class RevealIn(Schema):
    field: limited_text(24, kind="code")


class RevealOut(Schema):
    field: str
    value: str


class DataAccessOut(Schema):
    """One time someone revealed, exported or looked up a member's personal data."""

    entry_id: int
    at: datetime.datetime
    actor: str
    action: str
    action_display: str
    purpose: str


class TransferIn(Schema):
    member: int
    to_org: int
    reason: model_text(Transfer, "reason")


class ReasonIn(Schema):
    reason: model_text(Transfer, "return_reason")


class TransferOut(Schema):
    id: int
    member_id: int
    member_name: str
    from_org_id: int
    from_org_name: str
    to_org_id: int
    to_org_name: str
    state: str
    reason: str
    return_reason: str
    started_at: datetime.datetime
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_from_org_name(obj):
        return obj.from_org.name

    @staticmethod
    def resolve_to_org_name(obj):
        return obj.to_org.name


class OutflowIn(Schema):
    member: int
    certificate_number: model_text(MobileOutflow, "certificate_number", kind="number")
    destination: model_text(MobileOutflow, "destination")
    left_on: datetime.date
    expected_return_on: datetime.date | None = None
    reason: model_text(MobileOutflow, "reason") = ""


class OutflowOut(Schema):
    id: int
    member_id: int
    member_name: str
    home_org_id: int
    certificate_number: str
    destination: str
    left_on: datetime.date
    expected_return_on: datetime.date | None
    returned_on: datetime.date | None
    state: str

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name


class ReturnIn(Schema):
    returned_on: datetime.date


class InflowIn(Schema):
    community: int
    name: model_text(MobileInflow, "name", kind="name")
    id_number: IdNumberText
    certificate_number: model_text(MobileInflow, "certificate_number", kind="number")
    home_org_name: model_text(MobileInflow, "home_org_name")
    registered_on: datetime.date | None = None


class InflowOut(Schema):
    id: int
    community_id: int
    name: str
    certificate_number: str
    home_org_name: str
    registered_on: datetime.date
    state: str
    verify_note: str


class LedgerOut(Schema):
    out: int
    out_overdue: int
    out_unregistered: int
    inflow_pending: int
    inflow_overdue: int
    inflow_rejected: int
    inflow_verified: int


class DualReportIn(Schema):
    community: int | None = None
    member: int | None = None
    unit_org: int | None = None
    reported_on: datetime.date | None = None


class DualReportOut(Schema):
    id: int
    kind: str
    community_id: int
    community_name: str
    unit_org_id: int | None
    member_id: int | None
    subject_name: str
    reported_on: datetime.date
    service_post: str
    ended_on: datetime.date | None

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.name

    @staticmethod
    def resolve_subject_name(obj):
        return obj.member.name if obj.member_id else obj.unit_org.name


class ServiceIn(Schema):
    task: model_text(ServiceRecord, "task")
    served_on: datetime.date
    hours: model_decimal(ServiceRecord, "hours")


class PostIn(Schema):
    service_post: model_text(DualReport, "service_post")


class ServiceOut(Schema):
    id: int
    report_id: int
    task: str
    served_on: datetime.date
    hours: Decimal


class ReportBackRowOut(Schema):
    member_id: int
    name: str
    community: str
    services: int
    hours: Decimal


class ReportBackOut(Schema):
    org_id: int
    rows: list[ReportBackRowOut]
    member_hours: Decimal
    org_services: int
    org_hours: Decimal


class StatRowOut(Schema):
    key: str
    label: str
    count: int


class StatTableOut(Schema):
    name: str
    title: str
    total: int
    rows: list[StatRowOut]


class ExportIn(Schema):
    area: int | None = None
    org: int | None = None
    # empty: masked; else party_statistics, transfer, election, other
    purpose: limited_text(20, kind="code") = ""
    purpose_note: limited_text(PURPOSE_NOTE_MAX) = ""


class ExportJobOut(Schema):
    id: str
    status: str
    rows: int | None = None
    error: str = ""

"""Every write to members' records and their workflows.

Keyword-only, the acting user first (None for the system), one transaction, an audit
entry and a timeline event for each step. Personal numbers are validated, encrypted and
indexed here and nowhere else; audit entries carry them masked.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core import crypto
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.inputs import check_model_text
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import KIND_MEMBER, scope_for
from jiceng.core.validators import (
    id_number_birth_date,
    id_number_gender,
    normalize_text,
    validate_contact_phone,
    validate_id_number,
)
from jiceng.members import access
from jiceng.members.ethnicities import normalize_ethnicity
from jiceng.members.events import member_event
from jiceng.members.models import (
    DualReport,
    Member,
    MemberEvent,
    Membership,
    MobileInflow,
    MobileOutflow,
    ServiceRecord,
    Transfer,
)
from jiceng.orgs.models import PartyOrg, Unit

ID_PURPOSE = "member.id_number"
PHONE_PURPOSE = "member.phone"

MSG_NAME = _("请填写姓名")
MSG_GENDER = _("性别应为“男”或“女”")
MSG_GENDER_MISMATCH = _("性别与身份证号不一致")
MSG_BIRTH_MISMATCH = _("出生日期与身份证号不一致")
MSG_ETHNICITY = _("民族名称无效")
MSG_EDUCATION = _("学历无效")
MSG_STATUS = _("党员状态无效")
MSG_CATEGORY = _("党员类别无效")
MSG_JOINED = _("请填写入党日期")
MSG_JOINED_FUTURE = _("入党日期不能晚于今天")
MSG_JOINED_AGE = _("入党时应年满十八周岁")
MSG_FULL_BEFORE_JOINED = _("转正日期应晚于入党日期")
MSG_FULL_REQUIRED = _("正式党员应填写转正日期")
MSG_PROBATIONARY_FULL_ON = _("预备党员不应有转正日期")
MSG_ID_TAKEN = _("该身份证号已登记为党员")
MSG_ORG_CLOSED = _("党组织已撤销")
MSG_ORG_GROUP = _("党员应编入党支部（党总支、党委），不能直接编入党小组")
MSG_RESIDENCE_LEVEL = _("居住社区应为社区")
MSG_TRANSFER_SAME_ORG = _("转入党组织与当前党组织相同")
MSG_TRANSFER_PENDING = _("该党员已有待接收的转接")
MSG_TRANSFER_DECIDED = _("该转接已办理，不能重复操作")
MSG_REASON = _("请填写原因")
MSG_CERTIFICATE = _("请填写活动证编号")
MSG_DESTINATION = _("请填写外出地点")
MSG_OUTFLOW_OPEN = _("该党员已有未返回的外出登记")
MSG_OUTFLOW_RETURNED = _("该外出登记已返回")
MSG_RETURN_BEFORE_LEFT = _("返回日期不能早于外出日期")
MSG_INFLOW_DECIDED = _("该流入登记已核实")
MSG_COMMUNITY_LEVEL = _("应选择社区")
MSG_REPORT_KIND = _("只有在职党员可以到居住社区报到")
MSG_REPORT_EXISTS = _("已在报到中，无需重复报到")
MSG_REPORT_ENDED = _("该报到已结束")
MSG_HOURS = _("服务时长应在 0.5 到 24 小时之间")
MSG_TASK = _("请填写服务内容")
MSG_DATE_FUTURE = _("日期不能晚于今天")
MSG_FIELD_LOCKED = _("不能修改该字段")

# Fields kept in the audit snapshot; personal numbers appear masked only.
MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "joined_on",
    "full_on",
    "status",
    "category",
    "org",
    "residence_community",
    "work_unit",
    "work_unit_name",
    "post",
)
MEMBER_ORG_KINDS = {"committee", "working_committee", "general_branch", "branch", "joint_branch"}
# The choices as sets: `TextChoices.values` builds a new list on every call, which a
# roster of a million rows notices.
GENDERS = frozenset(Member.Gender.values)
EDUCATIONS = frozenset(Member.Education.values)
STATUSES = frozenset(Member.Status.values)
CATEGORIES = frozenset(Member.Category.values)


@dataclass
class MemberFacts:
    """Validated facts of one member, as a form, the API or an import row gives them."""

    name: str
    id_number: str
    ethnicity: str
    education: str
    joined_on: datetime.date | None
    status: str
    category: str
    gender: str = ""
    birth_date: datetime.date | None = None
    full_on: datetime.date | None = None
    phone: str = ""
    work_unit_name: str = ""
    post: str = ""


def clean_member_facts(facts: MemberFacts, *, today: datetime.date | None = None) -> MemberFacts:
    """Validate and normalize. Raises ValidationFailed naming the first bad field.

    Gender and birth date may be left blank: the ID number gives them; when given they
    must agree with it.
    """
    today = today or timezone.localdate()
    # The input policy (core.inputs) for pages, API, imports and bulk recording alike.
    name = check_model_text(Member, "name", facts.name, kind="name")
    if not name:
        raise ValidationFailed(MSG_NAME, field="name")
    number = validate_id_number(facts.id_number, today=today)
    gender = facts.gender or id_number_gender(number)
    if gender not in GENDERS:
        raise ValidationFailed(MSG_GENDER, field="gender")
    if gender != id_number_gender(number):
        raise ValidationFailed(MSG_GENDER_MISMATCH, field="gender")
    birth = facts.birth_date or id_number_birth_date(number)
    if birth != id_number_birth_date(number):
        raise ValidationFailed(MSG_BIRTH_MISMATCH, field="birth_date")
    ethnicity = normalize_ethnicity(facts.ethnicity)
    if ethnicity is None:
        raise ValidationFailed(MSG_ETHNICITY, field="ethnicity")
    if facts.education not in EDUCATIONS:
        raise ValidationFailed(MSG_EDUCATION, field="education")
    if facts.status not in STATUSES:
        raise ValidationFailed(MSG_STATUS, field="status")
    if facts.category not in CATEGORIES:
        raise ValidationFailed(MSG_CATEGORY, field="category")
    if facts.joined_on is None:
        raise ValidationFailed(MSG_JOINED, field="joined_on")
    if facts.joined_on > today:
        raise ValidationFailed(MSG_JOINED_FUTURE, field="joined_on")
    eighteenth = _add_years(birth, 18)
    if facts.joined_on < eighteenth:
        raise ValidationFailed(MSG_JOINED_AGE, field="joined_on")
    if facts.status == Member.Status.FULL:
        if facts.full_on is None:
            raise ValidationFailed(MSG_FULL_REQUIRED, field="full_on")
        if facts.full_on <= facts.joined_on:
            raise ValidationFailed(MSG_FULL_BEFORE_JOINED, field="full_on")
        if facts.full_on > today:
            raise ValidationFailed(MSG_DATE_FUTURE, field="full_on")
    elif facts.full_on is not None:
        raise ValidationFailed(MSG_PROBATIONARY_FULL_ON, field="full_on")
    phone = validate_contact_phone(facts.phone) if normalize_text(facts.phone or "") else ""
    return MemberFacts(
        name=name,
        id_number=number,
        ethnicity=ethnicity,
        education=facts.education,
        joined_on=facts.joined_on,
        status=facts.status,
        category=facts.category,
        gender=gender,
        birth_date=birth,
        full_on=facts.full_on,
        phone=phone,
        work_unit_name=check_model_text(Member, "work_unit_name", facts.work_unit_name),
        post=check_model_text(Member, "post", facts.post),
    )


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def id_number_index(number: str) -> str:
    return crypto.blind_index(number, purpose=ID_PURPOSE)


def _check_org(org: PartyOrg) -> None:
    if org.closed_on is not None:
        raise ValidationFailed(MSG_ORG_CLOSED, field="org")
    if org.kind not in MEMBER_ORG_KINDS:
        raise ValidationFailed(MSG_ORG_GROUP, field="org")


def _check_residence(area: Area | None) -> None:
    if area is not None and area.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_RESIDENCE_LEVEL, field="residence_community")


def _member_snapshot(member: Member) -> dict:
    data = snapshot(member, MEMBER_FIELDS)
    data["id_number"] = mask_id_number(crypto.decrypt(member.id_number_encrypted))
    data["phone"] = mask_phone(crypto.decrypt(member.phone_encrypted))
    return data


def build_member(
    facts: MemberFacts,
    *,
    org: PartyOrg,
    residence_community: Area | None = None,
    work_unit: Unit | None = None,
) -> Member:
    """An unsaved Member from cleaned facts; the bulk import saves many at once."""
    return Member(
        name=facts.name,
        gender=facts.gender,
        ethnicity=facts.ethnicity,
        birth_date=facts.birth_date,
        id_number_encrypted=crypto.encrypt(facts.id_number),
        id_number_index=id_number_index(facts.id_number),
        phone_encrypted=crypto.encrypt(facts.phone) if facts.phone else "",
        phone_index=crypto.blind_index(facts.phone, purpose=PHONE_PURPOSE) if facts.phone else "",
        education=facts.education,
        joined_on=facts.joined_on,
        full_on=facts.full_on,
        status=facts.status,
        category=facts.category,
        org=org,
        residence_community=residence_community,
        work_unit=work_unit,
        work_unit_name=facts.work_unit_name or (work_unit.name if work_unit else ""),
        post=facts.post,
    )


@transaction.atomic
def member_register(
    *,
    actor,
    org: PartyOrg,
    facts: MemberFacts,
    residence_community: Area | None = None,
    work_unit: Unit | None = None,
) -> Member:
    """Register a member in an org. One person is one member: the ID number is unique."""
    access.require_manage_org_members(actor, org)
    _check_org(org)
    _check_residence(residence_community)
    facts = clean_member_facts(facts)
    if Member.objects.filter(id_number_index=id_number_index(facts.id_number)).exists():
        raise Conflict(MSG_ID_TAKEN, field="id_number")
    member = build_member(
        facts, org=org, residence_community=residence_community, work_unit=work_unit
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise Conflict(MSG_ID_TAKEN, field="id_number") from None
    Membership.objects.create(
        member=member, org=org, started_on=timezone.localdate(), reason=Membership.Reason.REGISTERED
    )
    member_event(member, MemberEvent.Kind.REGISTERED, actor=actor, data={"org": org.pk})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=member,
        changes=_member_snapshot(member),
    )
    return member


EDITABLE_FIELDS = {
    "name",
    "ethnicity",
    "education",
    "full_on",
    "status",
    "category",
    "phone",
    "residence_community",
    "work_unit",
    "work_unit_name",
    "post",
}


@transaction.atomic
def member_update(*, actor, member: Member, **fields) -> Member:
    """Correct or update a member's facts. The org changes only through a transfer; the
    ID number, gender and birth date are fixed at registration."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(MSG_FIELD_LOCKED, field=sorted(unknown)[0])
    access.require_manage_member(actor, member)
    before = _member_snapshot(member)
    number = crypto.decrypt(member.id_number_encrypted)
    facts = MemberFacts(
        name=fields.get("name", member.name),
        id_number=number,
        ethnicity=fields.get("ethnicity", member.ethnicity),
        education=fields.get("education", member.education),
        joined_on=member.joined_on,
        status=fields.get("status", member.status),
        category=fields.get("category", member.category),
        gender=member.gender,
        birth_date=member.birth_date,
        full_on=fields.get("full_on", member.full_on),
        phone=fields.get("phone", crypto.decrypt(member.phone_encrypted)),
        work_unit_name=fields.get("work_unit_name", member.work_unit_name),
        post=fields.get("post", member.post),
    )
    facts = clean_member_facts(facts)
    residence = fields.get("residence_community", member.residence_community)
    _check_residence(residence)
    member.name, member.ethnicity, member.education = facts.name, facts.ethnicity, facts.education
    member.status, member.category, member.full_on = facts.status, facts.category, facts.full_on
    member.work_unit_name, member.post = facts.work_unit_name, facts.post
    member.residence_community = residence
    member.work_unit = fields.get("work_unit", member.work_unit)
    member.phone_encrypted = crypto.encrypt(facts.phone) if facts.phone else ""
    member.phone_index = (
        crypto.blind_index(facts.phone, purpose=PHONE_PURPOSE) if facts.phone else ""
    )
    member.save()
    changes = changes_between(before, _member_snapshot(member))
    if changes:
        member_event(
            member, MemberEvent.Kind.UPDATED, actor=actor, data={"fields": sorted(changes)}
        )
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=member, changes=changes)
    return member


APPRAISAL_GRADES = {
    "excellent": _("优秀"),
    "qualified": _("合格"),
    "basically_qualified": _("基本合格"),
    "unqualified": _("不合格"),
}
MSG_APPRAISAL_GRADE = _("评议等次应为优秀、合格、基本合格或不合格")
MSG_APPRAISAL_YEAR = _("评议年度无效")


@transaction.atomic
def member_appraisal_record(
    *, actor, member: Member, year: int, grade: str, source: str = "", data: dict | None = None
) -> MemberEvent:
    """Write the result of a democratic appraisal (民主评议党员) onto the member's file:
    one event per member and year; a later result for the same year is a new event, so
    the file keeps the correction beside the original."""
    return member_appraisal_record_many(
        actor=actor, results=[(member, grade)], year=year, source=source, data=data
    )[0]


@transaction.atomic
def member_appraisal_record_many(
    *,
    actor,
    results: Sequence[tuple[Member, str]],
    year: int,
    source: str = "",
    data: dict | None = None,
) -> list[MemberEvent]:
    """`member_appraisal_record` for a whole meeting's results at once: the same checks,
    one event and one audit entry per member, written in two statements (a branch's
    appraisal covers its whole register)."""
    from jiceng.core.audit import AuditLine, audit_record_many
    from jiceng.members.events import event_actor

    if isinstance(year, bool) or not isinstance(year, int) or not 1921 <= year <= 2200:
        raise ValidationFailed(MSG_APPRAISAL_YEAR, field="year")
    checked: set[int] = set()
    for member, grade in results:
        if member.org_id not in checked:
            access.require_manage_member(actor, member)
            checked.add(member.org_id)
        if grade not in APPRAISAL_GRADES:
            raise ValidationFailed(MSG_APPRAISAL_GRADE, field="grade")
    now = timezone.now()
    events = MemberEvent.objects.bulk_create(
        [
            MemberEvent(
                member=member,
                kind=MemberEvent.Kind.APPRAISED,
                at=now,
                actor=event_actor(actor),
                note=f"{year} {APPRAISAL_GRADES[grade]}",
                data={"year": year, "grade": grade, "source": source[:60], **(data or {})},
            )
            for member, grade in results
        ]
    )
    audit_record_many(
        [
            AuditLine(
                action=AuditEntry.Action.UPDATE,
                target=member,
                changes={"appraisal": {"year": year, "grade": grade}},
                actor=actor,
            )
            for member, grade in results
        ]
    )
    return events


def member_appraisals(member: Member) -> list[MemberEvent]:
    """The member's appraisal results, latest first (the file's own rows)."""
    return list(member.events.filter(kind=MemberEvent.Kind.APPRAISED).order_by("-at", "-id"))


@transaction.atomic
def member_reveal(*, actor, member: Member, field: str) -> str:
    """The full ID number or phone, for those who keep the record; every reveal audited."""
    if field not in ("id_number", "phone"):
        raise ValidationFailed(MSG_FIELD_LOCKED, field="field")
    if not access.can_reveal_member(actor, member):
        access.require_manage_member(actor, member)
        raise PermissionDenied()
    token = member.id_number_encrypted if field == "id_number" else member.phone_encrypted
    audit_record(
        actor=actor, action=AuditEntry.Action.REVEAL, target=member, changes={"field": field}
    )
    return crypto.decrypt(token)


def member_lookup_audit(*, actor, field: str, query: str, members: Sequence[Member]) -> None:
    """A search by a whole ID number or phone confirms that a person is a party member
    in the searcher's scope, so it is audited like a reveal: one entry per member found
    (one without a target when none was), the number kept only as a keyed hash."""
    from jiceng.core.audit import AuditLine, audit_record_many

    changes = {"field": field, "query_hash": crypto.blind_index(query, purpose="audit.lookup")}
    lines = [
        AuditLine(action=AuditEntry.Action.LOOKUP, target=m, changes=changes, actor=actor)
        for m in members
    ] or [
        AuditLine(
            action=AuditEntry.Action.LOOKUP,
            target_type="members.member",
            target_label="",
            changes={**changes, "found": 0},
            actor=actor,
        )
    ]
    with transaction.atomic():
        audit_record_many(lines)


# ---- the member's own account -------------------------------------------------------------

MSG_ACCOUNT_EXISTS = _("该党员已开通本人账号")


MSG_ACCOUNT_TAKEN = _("该账号已关联其他党员")


@transaction.atomic
def member_account_open(*, actor, member: Member, username: str, password: str):
    """The org that keeps the record opens the member's own sign-in: an account with the
    member role on the member's org, linked to the record, so the member sees their own
    file, transfers and service hours (and nothing of anybody else's)."""
    from jiceng.accounts.services import user_create

    access.require_manage_member(actor, member)
    if Member.objects.filter(pk=member.pk, account__isnull=False).exists():
        raise Conflict(MSG_ACCOUNT_EXISTS, field="username")
    user = user_create(actor=actor, username=username, password=password, full_name=member.name)
    member_account_link(actor=actor, member=member, user=user)
    return user


@transaction.atomic
def member_account_link(*, actor, member: Member, user) -> Member:
    """Link an existing account to the member's record and give it the member role on
    the member's org (kept if it already has it)."""
    from jiceng.accounts.models import Role
    from jiceng.accounts.services import role_grant

    access.require_manage_member(actor, member)
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member.account_id is not None:
        raise Conflict(MSG_ACCOUNT_EXISTS, field="username")
    if Member.objects.filter(account=user).exists():
        raise Conflict(MSG_ACCOUNT_TAKEN, field="username")
    role_grant(actor=actor, user=user, role=Role.MEMBER, org=member.org, if_missing=True)
    member.account = user
    member.save(update_fields=["account"])
    member_event(member, MemberEvent.Kind.ACCOUNT_OPENED, actor=actor, data={"user": user.pk})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=member,
        changes={"account": {"old": None, "new": user.username}},
    )
    return member


def _move_member_role(*, actor, member: Member, from_org: PartyOrg, to_org: PartyOrg) -> None:
    """After a transfer the member's own role follows them to the receiving org. The
    receiving side may not manage the sending org, so the revocation is the system's
    consequence of the accepted transfer (actor None), audited like any revocation."""
    from jiceng.accounts.models import Role
    from jiceng.accounts.services import role_grant, role_revoke_anchor

    if member.account_id is None:
        return
    role_revoke_anchor(actor=None, user=member.account, role=Role.MEMBER, org=from_org)
    role_grant(actor=actor, user=member.account, role=Role.MEMBER, org=to_org, if_missing=True)


# ---- transfers (组织关系转接) -------------------------------------------------------------


@transaction.atomic
def transfer_start(*, actor, member: Member, to_org: PartyOrg, reason: str) -> Transfer:
    """The sending org starts a transfer. The receiving org may lie in another district,
    outside the sender's scope: it is named by id, and sees the transfer once started."""
    access.require_manage_member(actor, member)
    _check_org(to_org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason")
    if to_org.pk == member.org_id:
        raise ValidationFailed(MSG_TRANSFER_SAME_ORG, field="to_org")
    if Transfer.objects.filter(member=member, state=Transfer.State.PENDING).exists():
        raise Conflict(MSG_TRANSFER_PENDING, field="member")
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member,
                from_org=member.org,
                to_org=to_org,
                reason=reason[:200],
                started_at=timezone.now(),
                started_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise Conflict(MSG_TRANSFER_PENDING, field="member") from None
    member_event(
        member,
        MemberEvent.Kind.TRANSFER_STARTED,
        actor=actor,
        note=reason,
        data={"transfer": transfer.pk, "to_org": to_org.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=transfer,
        changes={"from_org": member.org_id, "to_org": to_org.pk, "reason": reason},
    )
    return transfer


def _lock_transfer(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not locked.can_decide():
        raise Conflict(MSG_TRANSFER_DECIDED, field="state")
    return locked


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer) -> Transfer:
    """The receiving org accepts: only now does the member's org change."""
    access.require_decide_transfer(actor, transfer)
    transfer = _lock_transfer(transfer)
    _check_org(transfer.to_org)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    today = timezone.localdate()
    Membership.objects.filter(member=member, ended_on__isnull=True).update(ended_on=today)
    Membership.objects.create(
        member=member, org=transfer.to_org, started_on=today, reason=Membership.Reason.TRANSFER
    )
    member.org = transfer.to_org
    member.save(update_fields=["org"])
    _move_member_role(
        actor=actor, member=member, from_org=transfer.from_org, to_org=transfer.to_org
    )
    transfer.state = Transfer.State.ACCEPTED
    transfer.decided_at = timezone.now()
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "decided_at", "decided_by"])
    member_event(
        member, MemberEvent.Kind.TRANSFER_ACCEPTED, actor=actor, data={"transfer": transfer.pk}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=transfer,
        changes={"state": {"old": "pending", "new": "accepted"}},
    )
    return transfer


@transaction.atomic
def transfer_return(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """The receiving org sends it back with a reason; the member stays where they were."""
    access.require_decide_transfer(actor, transfer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="return_reason")
    transfer = _lock_transfer(transfer)
    transfer.state = Transfer.State.RETURNED
    transfer.return_reason = reason[:200]
    transfer.decided_at = timezone.now()
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "return_reason", "decided_at", "decided_by"])
    member_event(
        transfer.member,
        MemberEvent.Kind.TRANSFER_RETURNED,
        actor=actor,
        note=reason,
        data={"transfer": transfer.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=transfer,
        changes={"state": {"old": "pending", "new": "returned"}, "return_reason": reason},
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """The sending org withdraws a transfer not yet decided."""
    access.require_cancel_transfer(actor, transfer)
    transfer = _lock_transfer(transfer)
    transfer.state = Transfer.State.CANCELLED
    transfer.decided_at = timezone.now()
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "decided_at", "decided_by"])
    member_event(
        transfer.member,
        MemberEvent.Kind.TRANSFER_CANCELLED,
        actor=actor,
        data={"transfer": transfer.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=transfer,
        changes={"state": {"old": "pending", "new": "cancelled"}},
    )
    return transfer


# ---- mobile members (流动党员) ---------------------------------------------------------------


@transaction.atomic
def outflow_register(
    *,
    actor,
    member: Member,
    certificate_number: str,
    destination: str,
    left_on: datetime.date,
    expected_return_on: datetime.date | None = None,
    reason: str = "",
) -> MobileOutflow:
    """The home org registers a member going away, with the activity certificate number.
    Any inflow registrations already waiting for this member are checked at once."""
    access.require_manage_member(actor, member)
    certificate = normalize_text(certificate_number or "").replace(" ", "").upper()
    if not certificate:
        raise ValidationFailed(MSG_CERTIFICATE, field="certificate_number")
    destination = (destination or "").strip()
    if not destination:
        raise ValidationFailed(MSG_DESTINATION, field="destination")
    if left_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="left_on")
    if expected_return_on is not None and expected_return_on < left_on:
        raise ValidationFailed(MSG_RETURN_BEFORE_LEFT, field="expected_return_on")
    if MobileOutflow.objects.filter(member=member, state=MobileOutflow.State.OUT).exists():
        raise Conflict(MSG_OUTFLOW_OPEN, field="member")
    try:
        with transaction.atomic():
            outflow = MobileOutflow.objects.create(
                member=member,
                home_org=member.org,
                certificate_number=certificate,
                destination=destination[:150],
                reason=(reason or "").strip()[:100],
                left_on=left_on,
                expected_return_on=expected_return_on,
            )
    except IntegrityError:
        raise Conflict(MSG_OUTFLOW_OPEN, field="member") from None
    member.category = Member.Category.MOBILE
    member.save(update_fields=["category"])
    member_event(
        member,
        MemberEvent.Kind.OUTFLOW_REGISTERED,
        actor=actor,
        note=destination,
        data={"outflow": outflow.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=outflow,
        changes={"certificate_number": certificate, "destination": destination},
    )
    for inflow in MobileInflow.objects.filter(
        id_number_index=member.id_number_index, state=MobileInflow.State.PENDING
    ):
        _try_verify(inflow, actor=None)
    return outflow


@transaction.atomic
def outflow_return(*, actor, outflow: MobileOutflow, returned_on: datetime.date) -> MobileOutflow:
    """The member is back: the record closes, and so does any inflow registration."""
    access.require_manage_outflow(actor, outflow)
    outflow = MobileOutflow.objects.select_for_update().get(pk=outflow.pk)
    if outflow.state != MobileOutflow.State.OUT:
        raise Conflict(MSG_OUTFLOW_RETURNED, field="state")
    if returned_on < outflow.left_on:
        raise ValidationFailed(MSG_RETURN_BEFORE_LEFT, field="returned_on")
    if returned_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="returned_on")
    outflow.state = MobileOutflow.State.RETURNED
    outflow.returned_on = returned_on
    outflow.save(update_fields=["state", "returned_on"])
    outflow.inflows.exclude(state=MobileInflow.State.CLOSED).update(state=MobileInflow.State.CLOSED)
    member = outflow.member
    if member.category == Member.Category.MOBILE:
        member.category = Member.Category.IN_SERVICE
        member.save(update_fields=["category"])
    member_event(
        member, MemberEvent.Kind.MOBILE_RETURNED, actor=actor, data={"outflow": outflow.pk}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=outflow,
        changes={"state": {"old": "out", "new": "returned"}, "returned_on": returned_on},
    )
    return outflow


MSG_VERIFY_NO_OUTFLOW = _("流出地尚无该党员的外出登记")
MSG_VERIFY_CERTIFICATE = _("活动证编号与流出地登记不一致")
MSG_VERIFY_NAME = _("姓名与流出地登记不一致")


def _try_verify(inflow: MobileInflow, *, actor) -> MobileInflow:
    """Check an inflow against the home org's open outflow of the same person (matched by
    the ID number's blind index) and its certificate number."""
    outflow = (
        MobileOutflow.objects.select_related("member")
        .filter(member__id_number_index=inflow.id_number_index, state=MobileOutflow.State.OUT)
        .first()
    )
    if outflow is None:
        inflow.verify_note = str(MSG_VERIFY_NO_OUTFLOW)
        inflow.save(update_fields=["verify_note"])
        return inflow
    if outflow.certificate_number != inflow.certificate_number:
        inflow.verify_note = str(MSG_VERIFY_CERTIFICATE)
        inflow.state = MobileInflow.State.REJECTED
    elif outflow.member.name != inflow.name:
        inflow.verify_note = str(MSG_VERIFY_NAME)
        inflow.state = MobileInflow.State.REJECTED
    else:
        inflow.state = MobileInflow.State.VERIFIED
        inflow.outflow = outflow
        inflow.verify_note = ""
        inflow.verified_at = timezone.now()
        member_event(
            outflow.member,
            MemberEvent.Kind.INFLOW_VERIFIED,
            actor=actor,
            note=str(inflow.community),
            data={"inflow": inflow.pk},
        )
    inflow.save(update_fields=["state", "outflow", "verify_note", "verified_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=inflow,
        changes={"state": inflow.state, "note": inflow.verify_note},
    )
    return inflow


@transaction.atomic
def inflow_register(
    *,
    actor,
    community: Area,
    name: str,
    id_number: str,
    certificate_number: str,
    home_org_name: str,
    registered_on: datetime.date | None = None,
) -> MobileInflow:
    """凡进必登: the destination community registers an arriving member; the record stays
    pending until it matches the home org's outflow record (凡登必核)."""
    access.require_manage_community(actor, community)
    if community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY_LEVEL, field="community")
    name = check_model_text(MobileInflow, "name", name, kind="name")
    if not name:
        raise ValidationFailed(MSG_NAME, field="name")
    number = validate_id_number(id_number)
    certificate = check_model_text(
        MobileInflow, "certificate_number", certificate_number, kind="number"
    )
    certificate = certificate.replace(" ", "").upper()
    home_org_name = check_model_text(MobileInflow, "home_org_name", home_org_name)
    if not certificate:
        raise ValidationFailed(MSG_CERTIFICATE, field="certificate_number")
    registered_on = registered_on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="registered_on")
    inflow = MobileInflow.objects.create(
        community=community,
        name=name,
        id_number_encrypted=crypto.encrypt(number),
        id_number_index=id_number_index(number),
        certificate_number=certificate,
        home_org_name=home_org_name,
        registered_on=registered_on,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=inflow,
        changes={"id_number": mask_id_number(number), "certificate_number": certificate},
    )
    return _try_verify(inflow, actor=actor)


@transaction.atomic
def inflow_verify(*, actor, inflow: MobileInflow) -> MobileInflow:
    """Check a pending inflow again (the home org may have registered the outflow since)."""
    access.require_manage_inflow(actor, inflow)
    inflow = MobileInflow.objects.select_for_update().get(pk=inflow.pk)
    if inflow.state != MobileInflow.State.PENDING:
        raise Conflict(MSG_INFLOW_DECIDED, field="state")
    return _try_verify(inflow, actor=actor)


# ---- dual reporting (双报到) -----------------------------------------------------------------


def _check_community(community: Area) -> None:
    if community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY_LEVEL, field="community")


@transaction.atomic
def dual_report_unit_org(
    *, actor, unit_org: PartyOrg, community: Area, reported_on: datetime.date | None = None
) -> DualReport:
    """A unit's org reports to the community where the unit sits."""
    access.require_manage_org_members(actor, unit_org)
    _check_community(community)
    if unit_org.closed_on is not None:
        raise ValidationFailed(MSG_ORG_CLOSED, field="unit_org")
    return _dual_report_create(
        actor=actor,
        kind=DualReport.Kind.UNIT_ORG,
        community=community,
        reported_on=reported_on,
        unit_org=unit_org,
    )


@transaction.atomic
def dual_report_member(
    *, actor, member: Member, community: Area | None = None, reported_on=None
) -> DualReport:
    """An in-service member reports to the community where they live."""
    access.require_manage_member(actor, member)
    community = community or member.residence_community
    if community is None:
        raise ValidationFailed(MSG_COMMUNITY_LEVEL, field="community")
    _check_community(community)
    if member.category != Member.Category.IN_SERVICE:
        raise ValidationFailed(MSG_REPORT_KIND, field="member")
    report = _dual_report_create(
        actor=actor,
        kind=DualReport.Kind.MEMBER,
        community=community,
        reported_on=reported_on,
        member=member,
    )
    member_event(
        member,
        MemberEvent.Kind.DUAL_REPORTED,
        actor=actor,
        note=str(community),
        data={"report": report.pk},
    )
    return report


def _dual_report_create(*, actor, kind, community, reported_on, **subject) -> DualReport:
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="reported_on")
    open_reports = DualReport.objects.filter(ended_on__isnull=True, **subject)
    if kind == DualReport.Kind.UNIT_ORG:
        open_reports = open_reports.filter(community=community)
    if open_reports.exists():
        raise Conflict(MSG_REPORT_EXISTS, field="community")
    try:
        with transaction.atomic():
            report = DualReport.objects.create(
                kind=kind, community=community, reported_on=reported_on, **subject
            )
    except IntegrityError:
        raise Conflict(MSG_REPORT_EXISTS, field="community") from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=report,
        changes={"kind": kind, "community": community.pk},
    )
    return report


@transaction.atomic
def dual_report_assign_post(*, actor, report: DualReport, service_post: str) -> DualReport:
    """The community gives the reporting org or member a post to serve in."""
    access.require_manage_dual_report(actor, report)
    if report.ended_on is not None:
        raise Conflict(MSG_REPORT_ENDED, field="report")
    service_post = (service_post or "").strip()
    if not service_post:
        raise ValidationFailed(MSG_TASK, field="service_post")
    before = report.service_post
    report.service_post = service_post[:100]
    report.save(update_fields=["service_post"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=report,
        changes={"service_post": {"old": before, "new": report.service_post}},
    )
    return report


@transaction.atomic
def service_record_add(
    *, actor, report: DualReport, task: str, served_on: datetime.date, hours
) -> ServiceRecord:
    """The community records service done; the unit org sees it as the report-back."""
    access.require_manage_dual_report(actor, report)
    if report.ended_on is not None:
        raise Conflict(MSG_REPORT_ENDED, field="report")
    task = (task or "").strip()
    if not task:
        raise ValidationFailed(MSG_TASK, field="task")
    if served_on > timezone.localdate():
        raise ValidationFailed(MSG_DATE_FUTURE, field="served_on")
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except ArithmeticError:
        raise ValidationFailed(MSG_HOURS, field="hours") from None
    if not Decimal("0.5") <= hours <= Decimal("24"):
        raise ValidationFailed(MSG_HOURS, field="hours")
    record = ServiceRecord.objects.create(
        report=report,
        task=task[:150],
        served_on=served_on,
        hours=hours,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if report.member_id:
        member_event(
            report.member,
            MemberEvent.Kind.SERVICE_RECORDED,
            actor=actor,
            note=task,
            data={"hours": str(hours), "served_on": served_on.isoformat()},
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=record,
        changes={"task": task, "served_on": served_on, "hours": str(hours)},
    )
    return record


@transaction.atomic
def dual_report_end(*, actor, report: DualReport, ended_on: datetime.date | None = None):
    access.require_manage_dual_report(actor, report)
    if report.ended_on is not None:
        raise Conflict(MSG_REPORT_ENDED, field="report")
    report.ended_on = ended_on or timezone.localdate()
    report.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=report,
        changes={"ended_on": report.ended_on},
    )
    return report


# ---- bulk registration (imports, the demo) ---------------------------------------------------

MEMBER_COLUMNS = [
    "name", "gender", "ethnicity", "birth_date", "id_number_encrypted", "id_number_index",
    "phone_encrypted", "phone_index", "education", "joined_on", "full_on", "status",
    "category", "org_id", "residence_community_id", "work_unit_id", "work_unit_name", "post",
    "created_at",
]  # fmt: skip
BULK_BATCH = 5000
PER_ORG_AUDITED = 200
MSG_BULK_ROW = _("第 {row} 行：{message}")
MSG_ID_REPEATED = _("与第 {row} 行的身份证号重复")


@dataclass
class MemberRow:
    """One person for `member_bulk_create`: the facts as a form would give them, the org
    that keeps the record, where they live and where they work."""

    facts: MemberFacts
    org: PartyOrg
    residence_community: Area | None = None
    work_unit: Unit | None = None


def member_bulk_create(
    *, actor, rows: "list[MemberRow]", note: str = "", data: dict | None = None
) -> int:
    """Register many people, in any number of orgs, with the rules of `member_register`:
    the actor must manage each org, each org must take members, each residence must be a
    community, each row passes `clean_member_facts`, and one person is one member (an ID
    number already registered, or twice in `rows`, is refused).

    All or nothing: the first bad row raises the error `member_register` would, with the
    row's place in `rows` (from 1) in the message, and nothing is written. Members, their
    open memberships and "registered" events are written in plain multi-row inserts (COPY
    on PostgreSQL); one audit entry for the call, which counts people per org and never
    carries a personal number. Returns the number of members created."""
    checked_orgs: set[int] = set()
    checked_areas: set[int] = set()
    cleaned: list[tuple[MemberFacts, PartyOrg, Area | None, Unit | None]] = []
    seen: dict[str, int] = {}
    today = timezone.localdate()
    for number, row in enumerate(rows, start=1):
        try:
            if row.org.pk not in checked_orgs:
                access.require_manage_org_members(actor, row.org)
                _check_org(row.org)
                checked_orgs.add(row.org.pk)
            residence = row.residence_community
            if residence is not None and residence.pk not in checked_areas:
                _check_residence(residence)
                checked_areas.add(residence.pk)
            facts = clean_member_facts(row.facts, today=today)
            first = seen.setdefault(facts.id_number, number)
            if first != number:
                raise Conflict(str(MSG_ID_REPEATED).format(row=first), field="id_number")
        except (ValidationFailed, Conflict) as error:
            message = str(MSG_BULK_ROW).format(row=number, message=error.message)
            raise type(error)(message, field=error.field, code=error.code) from None
        cleaned.append((facts, row.org, residence, row.work_unit))
    if not cleaned:
        return 0
    with transaction.atomic():
        # Written first, checked if the unique index refuses: looking up every number
        # beforehand costs more than the insert itself (a quarter of a minute for two
        # million), and nothing stays written either way.
        try:
            with transaction.atomic():
                created = _write_members(cleaned, actor=actor, note=note, data=data)
        except IntegrityError:
            taken = _registered_rows([facts for facts, *_rest in cleaned])
            if not taken:
                raise
            row = min(seen[number] for number in taken)
            message = str(MSG_BULK_ROW).format(row=row, message=MSG_ID_TAKEN)
            raise Conflict(message, field="id_number") from None
        per_org: dict[int, int] = {}
        for _facts, org, _residence, _unit in cleaned:
            per_org[org.pk] = per_org.get(org.pk, 0) + 1
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_CREATE,
            target_type="members.member",
            target_label=f"{created} members",
            changes={
                "count": created,
                "orgs": len(per_org),
                # Who went where, while the entry stays a readable size.
                **(
                    {"per_org": {str(pk): n for pk, n in sorted(per_org.items())}}
                    if len(per_org) <= PER_ORG_AUDITED
                    else {}
                ),
                **({"note": note[:100]} if note else {}),
            },
        )
    return created


def _registered_rows(facts: list[MemberFacts]) -> set[str]:
    """The ID numbers among `facts` already registered as members."""
    index_of = {id_number_index(f.id_number): f.id_number for f in facts}
    keys = list(index_of)
    taken: set[str] = set()
    for start in range(0, len(keys), BULK_BATCH):
        taken.update(
            Member.objects.filter(id_number_index__in=keys[start : start + BULK_BATCH]).values_list(
                "id_number_index", flat=True
            )
        )
    return {index_of[key] for key in taken}


def _sealed(facts: MemberFacts) -> tuple[str, str, str, str]:
    """ID number and phone encrypted, each with its blind index."""
    if facts.phone:
        phone = crypto.encrypt(facts.phone)
        phone_index = crypto.blind_index(facts.phone, purpose=PHONE_PURPOSE)
    else:
        phone = phone_index = ""
    return crypto.encrypt(facts.id_number), id_number_index(facts.id_number), phone, phone_index


def _reserve_ids(model, count: int) -> list[int] | None:
    """Ids for `count` new rows taken from the table's sequence (PostgreSQL), so that a
    COPY can carry them and nothing has to be read back; None elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql" or not count:
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _write_members(cleaned, *, actor, note: str, data: dict | None) -> int:
    """Insert cleaned (facts, org, residence, work unit) rows with their memberships and
    events, BULK_BATCH at a time. Callers have checked everything and audit the batch."""
    from jiceng.core.bulk import insert_rows

    today = timezone.localdate()
    now = timezone.now()
    event_actor = actor.pk if getattr(actor, "is_authenticated", False) else None
    extra = dict(data or {})
    created = 0
    for start in range(0, len(cleaned), BULK_BATCH):
        chunk = cleaned[start : start + BULK_BATCH]
        rows = []
        orgs: dict[str, int] = {}
        for facts, org, residence, unit in chunk:
            id_sealed, id_index, phone_sealed, phone_index = _sealed(facts)
            orgs[id_index] = org.pk
            rows.append(
                (
                    facts.name, facts.gender, facts.ethnicity, facts.birth_date, id_sealed,
                    id_index, phone_sealed, phone_index, facts.education, facts.joined_on,
                    facts.full_on, facts.status, facts.category, org.pk,
                    residence.pk if residence is not None else None,
                    unit.pk if unit is not None else None,
                    facts.work_unit_name or (unit.name if unit is not None else ""),
                    facts.post, now,
                )
            )  # fmt: skip
        ids = _reserve_ids(Member, len(rows))
        if ids is not None:
            insert_rows(
                Member, ["id", *MEMBER_COLUMNS], [(pk, *r) for pk, r in zip(ids, rows, strict=True)]
            )
            placed = [(pk, r[13]) for pk, r in zip(ids, rows, strict=True)]
        else:
            insert_rows(Member, MEMBER_COLUMNS, rows)
            placed = []
            keys = list(orgs)
            for part in range(0, len(keys), 2000):
                placed.extend(
                    (pk, orgs[key])
                    for pk, key in Member.objects.filter(
                        id_number_index__in=keys[part : part + 2000]
                    ).values_list("id", "id_number_index")
                )
        insert_rows(
            Membership,
            ["member_id", "org_id", "started_on", "ended_on", "reason"],
            [(pk, org_id, today, None, Membership.Reason.REGISTERED) for pk, org_id in placed],
        )
        insert_rows(
            MemberEvent,
            ["member_id", "kind", "at", "actor_id", "note", "data"],
            [
                (pk, MemberEvent.Kind.REGISTERED, now, event_actor, note, {**extra, "org": org_id})
                for pk, org_id in placed
            ],
        )
        created += len(placed)
    return created


@transaction.atomic
def member_bulk_register(
    *, actor, org: PartyOrg, rows: list, note: str = "", data: dict | None = None
) -> int:
    """Register many people in one org: `rows` are (cleaned MemberFacts, residence
    community or None), already checked by `clean_member_facts` and free of people
    registered anywhere (the Excel import checks them row by row to report every error
    at once). The caller writes the audit entry for the batch."""
    access.require_manage_org_members(actor, org)
    _check_org(org)
    for _facts, residence in rows:
        _check_residence(residence)
    return _write_members(
        [(facts, org, residence, None) for facts, residence in rows],
        actor=actor,
        note=note,
        data=data,
    )


# ---- register exports as jobs ---------------------------------------------------------------


def member_export_submit(*, actor, area=None, org=None, purpose: str = "", purpose_note: str = ""):
    """Queue a register export (members.tasks.member_export_job) and return its task
    result (id, status). The purpose and today's allowance are checked now, so a refusal
    is immediate, and again when the job runs; the audit entry is written by the job,
    with the file. Masked without a purpose, as on the page."""
    from jiceng.core.exports import check_export_limit, export_purpose
    from jiceng.members.tasks import member_export_job

    if actor is None or not scope_for(actor).can_see_kind(KIND_MEMBER):
        raise NotFound()
    if purpose:
        purpose, purpose_note = export_purpose(purpose, purpose_note)
        check_export_limit(actor)
    return member_export_job.enqueue(
        actor.pk,
        area.pk if area is not None else None,
        org.pk if org is not None else None,
        purpose,
        purpose_note,
    )


def member_export_result(*, actor, job_id: str):
    """The job, for the person who submitted it only (anyone else: not found)."""
    from django_tasks.exceptions import TaskResultDoesNotExist

    from jiceng.members.tasks import member_export_job

    try:
        result = member_export_job.get_result(job_id)
    except (TaskResultDoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if actor is None or not result.args or result.args[0] != actor.pk:
        raise NotFound()
    return result

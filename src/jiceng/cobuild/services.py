"""Every write in regional co-building: the three lists, matching and its decisions,
projects' life, agreements and reviews, joint meetings and tasks, venues and bookings.

Each service is keyword-only with the acting user first (None for the system), checks
access, validates every field before writing anything (ValidationFailed names the
field), runs in one transaction, and leaves an audit entry; project steps also write a
ProjectEvent through the transition table in `cobuild.states`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.cobuild import access
from jiceng.cobuild.events import project_event
from jiceng.cobuild.matching import (
    SAME_COMMUNITY,
    SAME_STREET,
    NeedSlot,
    Place,
    ResourceSlot,
    distance,
    solve,
    windows_overlap,
)
from jiceng.cobuild.models import (
    Agreement,
    AgreementReview,
    Booking,
    Category,
    Commitment,
    JointMeeting,
    MatchProposal,
    MatchRun,
    MeetingAttendance,
    MeetingTask,
    Need,
    Project,
    ProjectResource,
    Resource,
    Room,
    Venue,
)
from jiceng.cobuild.states import transition_for
from jiceng.core import crypto, idempotency
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.inputs import MSG_CONTROL, has_control
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import scope_for
from jiceng.core.validators import clean_text, normalize_text, validate_phone
from jiceng.members.models import DualReport
from jiceng.orgs.models import BigCommittee, PartTimeMember, PartyOrg, Unit

MSG_TITLE = _("请填写名称")
MSG_TEXT_LONG = _("内容过长")
MSG_CATEGORY = _("类别无效")
MSG_CATEGORY_REQUIRED = _("该诉求类别不能自动对应需求类别，请选择需求类别")
MSG_COMMUNITY = _("应选择社区")
MSG_BENEFICIARIES = _("受益人数应为 1 到 100000 之间的整数")
MSG_DATE_REQUIRED = _("请填写日期")
MSG_WINDOW_ORDER = _("结束日期不能早于开始日期")
MSG_WINDOW_LONG = _("时间范围不能超过三年")
MSG_SOURCE = _("需求来源无效")
MSG_REASON = _("请填写原因")
MSG_NEED_NOT_OPEN = _("该需求已对接或已关闭")
MSG_APPEAL_CONVERTED = _("该诉求已转为需求")
MSG_AREA_LEVEL = _("所在区域应为区、街道、社区、网格或楼栋")
MSG_KIND = _("类型无效")
MSG_CAPACITY = _("容量应为 1 到 1000 之间的整数")
MSG_CAPACITY_IN_USE = _("容量不能少于正在承接的项目数（{used}）")
MSG_PROVIDER = _("资源应由一个单位党组织或一名在职党员报到提供")
MSG_ORG_CLOSED = _("党组织已撤销")
MSG_REPORT_KIND = _("只能选择在职党员的双报到")
MSG_REPORT_ENDED = _("该报到已结束")
MSG_RESOURCE_WITHDRAWN = _("该资源已撤回")
MSG_CATEGORY_MISMATCH = _("资源类别与需求类别不符")
MSG_WINDOW_DISJOINT = _("资源可用时间与需求时间不重叠")
MSG_OTHER_DISTRICT = _("资源与需求不在同一区，不能对接")
MSG_CAPACITY_FULL = _("该资源的容量已用完")
MSG_RESOURCES_REQUIRED = _("请至少选择一项资源")
MSG_RESOURCE_LINKED = _("该资源已在项目中")
MSG_BUDGET = _("预算应为不小于 0 的金额")
MSG_OWNER = _("负责人账号无效")
MSG_PROJECT_FINISHED = _("项目已完成，不能修改")
MSG_SCORE = _("评分应为 1 到 5 的整数")
MSG_RUN_LEVEL = _("只能对街道或区运行供需匹配")
MSG_PROPOSAL_DECIDED = _("该建议已处理")
MSG_SAME_RESOURCE = _("请选择与原建议不同的资源")
MSG_MATCH_REASON = _(
    "类别相符：{category}；{distance}；时间重叠 {start} 至 {end}；剩余容量 {remaining}"
)
DISTANCE_LABELS = {
    SAME_COMMUNITY: _("同一社区"),
    SAME_STREET: _("同一街道"),
    2: _("同区其他街道"),
}
MSG_UNIT_CLOSED = _("该单位已注销")
MSG_UNIT_DISTRICT = _("共建单位应在社区所在区内")
MSG_AGREEMENT_ENDED = _("该协议已终止")
MSG_SIDE = _("承诺方无效")
MSG_TARGET = _("目标值应为大于 0 的数")
MSG_ACHIEVED = _("完成值应为不小于 0 的数")
MSG_MEASURE = _("请填写计量单位")
MSG_CONTENT = _("请填写内容")
MSG_REVIEWER = _("评价方无效")
MSG_REVIEW_YEAR = _("考核年度应在协议有效期内且不晚于今年")
MSG_REVIEW_SCORE = _("得分应为 0 到 100 的整数")
MSG_REVIEW_EXISTS = _("该年度本方已评价")
MSG_AGENDA = _("请填写议程")
MSG_ATTENDEE = _("出席人员应为该大党委在会议当日在任的兼职委员")
MSG_TASK_OWNER = _("请指定责任委员或填写责任人")
MSG_TASK_OWNER_COMMITTEE = _("责任委员应为该大党委的兼职委员")
MSG_DEADLINE = _("完成时限不能早于会议日期")
MSG_TASK_DONE = _("该事项已完成")
MSG_VENUE_UNIT = _("单位开放阵地应选择开放单位；党群服务中心不属于单位")
MSG_VENUE_LEVEL = _("党群服务中心应设在街道或社区")
MSG_FLOOR_AREA = _("面积应为大于 0 的数")
MSG_SEATS = _("容纳人数应为不小于 0 的整数")
MSG_ROOM_NAME_TAKEN = _("该阵地已有同名功能室")
MSG_VENUE_CLOSED = _("该阵地已停用")
MSG_ROOM_INACTIVE = _("该功能室不可预约")
MSG_TIME_REQUIRED = _("请填写时间")
MSG_BOOKING_ORDER = _("结束时间应晚于开始时间")
MSG_BOOKING_LONG = _("单次预约不能超过24小时")
MSG_BOOKING_CONFLICT = _("该时段与已有预约冲突：{start} 至 {end}（{purpose}）")
MSG_BOOKING_CANCELLED = _("该预约已取消")
MSG_PURPOSE = _("请填写用途")

TEXT_MAX = 2000
MAX_WINDOW_DAYS = 3 * 366
# Appeal categories that are needs in disguise, and the need category each becomes.
APPEAL_CATEGORY_TO_NEED = {
    "elderly-service": Category.ELDERLY_CARE,
    "sanitation": Category.ENVIRONMENT,
    "street-order": Category.ENVIRONMENT,
    "greening": Category.ENVIRONMENT,
    "community-facility": Category.VENUE,
    "neighbour-dispute": Category.LEGAL,
    "property-dispute": Category.LEGAL,
    "family-dispute": Category.LEGAL,
}


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value, *, field: str, max_length: int, required=None) -> str:
    """People's words, trimmed and without control characters (clean_text)."""
    if not (isinstance(value, str) or value is None):
        raise ValidationFailed(MSG_TEXT_LONG, field=field)
    if value and has_control(value):  # the input policy (core.inputs)
        raise ValidationFailed(MSG_CONTROL, field=field)
    text = clean_text(value, multiline=True)
    if required is not None and not text:
        raise ValidationFailed(required, field=field)
    if len(text) > max_length:
        raise ValidationFailed(MSG_TEXT_LONG, field=field)
    return text


def _integer(value, *, field: str, low: int, high: int, message) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(message, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(message, field=field) from None
    if number != value and str(number) != str(value).strip():
        raise ValidationFailed(message, field=field)
    if not low <= number <= high:
        raise ValidationFailed(message, field=field)
    return number


def _decimal(value, *, field: str, message, minimum=Decimal("0"), strict=False) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(message, field=field) from None
    if not number.is_finite() or number >= Decimal("10000000000"):
        raise ValidationFailed(message, field=field)
    if number < minimum or (strict and number <= minimum):
        raise ValidationFailed(message, field=field)
    return number


def _window(start, end, *, start_field: str, end_field: str) -> None:
    if not isinstance(start, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field=start_field)
    if not isinstance(end, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field=end_field)
    if end < start:
        raise ValidationFailed(MSG_WINDOW_ORDER, field=end_field)
    if (end - start).days > MAX_WINDOW_DAYS:
        raise ValidationFailed(MSG_WINDOW_LONG, field=end_field)


def _choice(value, choices, *, field: str, message) -> str:
    if value not in choices.values:
        raise ValidationFailed(message, field=field)
    return value


def community_of(area: Area) -> Area:
    """The community an area lies in (itself, or the ancestor of a grid or building)."""
    if area.level == Area.Level.COMMUNITY:
        return area
    codes = area.ancestor_codes()
    if len(codes) < 4:
        raise ValidationFailed(MSG_COMMUNITY, field="community")
    return Area.objects.get(code=codes[3])


# ---- needs (需求清单) ------------------------------------------------------------------------


@dataclass
class NeedFacts:
    """What a resident's form, staff or an import gives for one need."""

    title: str
    category: str
    community: Area | None
    window_start: datetime.date | None
    window_end: datetime.date | None
    description: str = ""
    place: str = ""
    beneficiaries: int = 1
    contact_name: str = ""
    # A resident's mobile number (optional); stored encrypted, shown masked.
    contact_phone: str = ""


def _clean_need(facts: NeedFacts) -> NeedFacts:
    title = _text(facts.title, field="title", max_length=100, required=MSG_TITLE)
    category = _choice(facts.category, Category, field="category", message=MSG_CATEGORY)
    if facts.community is None or facts.community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY, field="community")
    _window(
        facts.window_start, facts.window_end, start_field="window_start", end_field="window_end"
    )
    return NeedFacts(
        title=title,
        category=category,
        community=facts.community,
        window_start=facts.window_start,
        window_end=facts.window_end,
        description=_text(facts.description, field="description", max_length=TEXT_MAX),
        place=_text(facts.place, field="place", max_length=200),
        beneficiaries=_integer(
            facts.beneficiaries,
            field="beneficiaries",
            low=1,
            high=100_000,
            message=MSG_BENEFICIARIES,
        ),
        contact_name=_text(facts.contact_name, field="contact_name", max_length=50),
        contact_phone=(
            validate_phone(facts.contact_phone, field="contact_phone")
            if normalize_text(facts.contact_phone or "")
            else ""
        ),
    )


def _need_row(
    facts: NeedFacts,
    *,
    source: str,
    actor,
    appeal=None,
    phone_encrypted: str | None = None,
    idempotency_key: str = "",
) -> Need:
    need = Need.objects.create(
        title=facts.title,
        description=facts.description,
        source=source,
        category=facts.category,
        community=facts.community,
        place=facts.place,
        beneficiaries=facts.beneficiaries,
        window_start=facts.window_start,
        window_end=facts.window_end,
        appeal=appeal,
        contact_name=facts.contact_name,
        contact_phone_encrypted=(
            phone_encrypted if phone_encrypted is not None else crypto.encrypt(facts.contact_phone)
        ),
        idempotency_key=idempotency_key,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=need,
        changes={
            "source": source,
            "category": need.category,
            "community": need.community_id,
            "window": [need.window_start, need.window_end],
            "beneficiaries": need.beneficiaries,
            "appeal": need.appeal_id,
        },
    )
    return need


def need_create(
    *,
    actor,
    facts: NeedFacts,
    source: str = Need.Source.STAFF,
    idempotency_key: str = "",
    client: str = "",
) -> Need:
    """`need_submit`, for callers that need not know whether it was a retry."""
    need, _created = need_submit(
        actor=actor,
        facts=facts,
        source=source,
        idempotency_key=idempotency_key,
        client=client,
    )
    return need


def need_submit(
    *,
    actor,
    facts: NeedFacts,
    source: str = Need.Source.STAFF,
    idempotency_key: str = "",
    client: str = "",
) -> tuple[Need, bool]:
    """Record a need; returns (need, created). Community staff collect needs in their
    territory; a resident files one through the public form (actor None) or with their
    own account in the community they live in.

    A retry carries the same idempotency key and gets the first need back: nothing is
    filed twice. Keys are per `client` (the form, or the API caller; by default the
    actor); the same key with another need is refused (core.idempotency)."""
    key = idempotency.clean_key(idempotency_key, field="idempotency_key")
    if not client:
        client = f"user:{actor.pk}" if actor is not None else "web"
    request = {
        "source": source,
        **{name: getattr(facts, name) for name in facts.__dataclass_fields__},
    }
    return idempotency.idempotent(
        client=client,
        key=key,
        request=request,
        model=Need,
        work=lambda: _need_create(actor=actor, facts=facts, source=source, key=key),
    )


@transaction.atomic
def _need_create(*, actor, facts: NeedFacts, source: str, key: str) -> Need:
    if source not in (Need.Source.STAFF, Need.Source.RESIDENT):
        raise ValidationFailed(MSG_SOURCE, field="source")
    if facts.community is None or facts.community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY, field="community")
    if source == Need.Source.STAFF or (
        actor is not None and not scope_for(actor).contains(facts.community)
    ):
        access.require_manage_area(actor, facts.community)
    facts = _clean_need(facts)
    return _need_row(facts, source=source, actor=actor, idempotency_key=key)


@transaction.atomic
def need_from_appeal(
    *,
    actor,
    appeal,
    category: str | None = None,
    title: str = "",
    window_start: datetime.date | None = None,
    window_end: datetime.date | None = None,
    beneficiaries: int = 1,
) -> Need:
    """Turn an appeal that is really a need (an elderly couple asking for meal help, a
    courtyard asking for a clean-up) into a need, keeping its history: the need points
    to the appeal, whose events stay readable from the need, and the appeal's timeline
    records the conversion. The appeal's own state is left to the appeals workflow.

    Category, place and description are copied; the need category follows
    APPEAL_CATEGORY_TO_NEED unless given. The window defaults to the next 30 days."""
    from jiceng.appeals.models import AppealEvent

    community = community_of(appeal.area)
    access.require_manage_area(actor, community)
    if Need.objects.filter(appeal=appeal).exists():
        raise Conflict(MSG_APPEAL_CONVERTED, field="appeal")
    category = category or APPEAL_CATEGORY_TO_NEED.get(appeal.category.code)
    if not category:
        raise ValidationFailed(MSG_CATEGORY_REQUIRED, field="category")
    today = timezone.localdate()
    place = appeal.address or (appeal.area.name if appeal.area_id != community.pk else "")
    facts = _clean_need(
        NeedFacts(
            title=(title or f"{appeal.category.name}：{appeal.description}")[:100],
            category=category,
            community=community,
            window_start=window_start or today,
            window_end=window_end or (window_start or today) + datetime.timedelta(days=30),
            description=appeal.description,
            place=place[:200],
            beneficiaries=beneficiaries,
            contact_name=appeal.contact_name,
        )
    )
    try:
        with transaction.atomic():
            need = _need_row(
                facts,
                source=Need.Source.APPEAL,
                actor=actor,
                appeal=appeal,
                phone_encrypted=appeal.contact_phone_encrypted,
            )
    except IntegrityError:
        raise Conflict(MSG_APPEAL_CONVERTED, field="appeal") from None
    who = _actor(actor)
    AppealEvent.objects.create(
        appeal=appeal,
        action="to_need",
        from_state=appeal.state,
        to_state=appeal.state,
        at=timezone.now(),
        actor=who,
        actor_label=who.get_username() if who else "system",
        note=str(_("已转为共建需求，纳入需求清单")),
        is_public=True,
        data={"need": need.pk},
    )
    return need


@transaction.atomic
def need_close(*, actor, need: Need, reason: str) -> Need:
    """Close an open need that no longer needs matching (met otherwise, withdrawn)."""
    access.require_manage_need(actor, need)
    reason = _text(reason, field="reason", max_length=200, required=MSG_REASON)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.OPEN:
        raise Conflict(MSG_NEED_NOT_OPEN, field="status")
    need.status = Need.Status.CLOSED
    need.closed_reason = reason
    need.save(update_fields=["status", "closed_reason"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=need,
        changes={"status": {"old": "open", "new": "closed"}, "reason": reason},
    )
    return need


# ---- resources (资源清单) --------------------------------------------------------------------


@dataclass
class ResourceFacts:
    title: str
    kind: str
    category: str
    available_from: datetime.date | None
    available_until: datetime.date | None
    capacity: int = 1
    area: Area | None = None  # defaults to the reporting community of a dual report
    description: str = ""


RESOURCE_AREA_LEVELS = {
    Area.Level.DISTRICT,
    Area.Level.STREET,
    Area.Level.COMMUNITY,
    Area.Level.GRID,
    Area.Level.BUILDING,
}


@transaction.atomic
def resource_offer(
    *,
    actor,
    facts: ResourceFacts,
    org: PartyOrg | None = None,
    dual_report: DualReport | None = None,
) -> Resource:
    """A unit's party org, or an in-service member through their dual report, offers a
    resource. The org's secretary (or the staff above it) records an org's offer; the
    member's org or the community they reported to records a member's."""
    if (org is None) == (dual_report is None):
        raise ValidationFailed(MSG_PROVIDER, field="offered_by_org")
    if org is not None:
        access.require_manage_org(actor, org)
        if org.closed_on is not None:
            raise ValidationFailed(MSG_ORG_CLOSED, field="offered_by_org")
    else:
        if dual_report.kind != DualReport.Kind.MEMBER:
            raise ValidationFailed(MSG_REPORT_KIND, field="dual_report")
        if not (
            access.can_manage_area(actor, dual_report.community)
            or access.can_manage_org(actor, dual_report.member.org)
        ):
            access.require_manage_org(actor, dual_report.member.org)
        if dual_report.ended_on is not None:
            raise ValidationFailed(MSG_REPORT_ENDED, field="dual_report")
    area = facts.area or (dual_report.community if dual_report is not None else None)
    if area is None or area.level not in RESOURCE_AREA_LEVELS:
        raise ValidationFailed(MSG_AREA_LEVEL, field="area")
    title = _text(facts.title, field="title", max_length=100, required=MSG_TITLE)
    kind = _choice(facts.kind, Resource.Kind, field="kind", message=MSG_KIND)
    category = _choice(facts.category, Category, field="category", message=MSG_CATEGORY)
    _window(
        facts.available_from,
        facts.available_until,
        start_field="available_from",
        end_field="available_until",
    )
    capacity = _integer(facts.capacity, field="capacity", low=1, high=1000, message=MSG_CAPACITY)
    description = _text(facts.description, field="description", max_length=TEXT_MAX)
    resource = Resource.objects.create(
        title=title,
        description=description,
        kind=kind,
        category=category,
        offered_by_org=org,
        dual_report=dual_report,
        area=area,
        capacity=capacity,
        available_from=facts.available_from,
        available_until=facts.available_until,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=resource,
        changes={
            "kind": kind,
            "category": category,
            "org": org.pk if org else None,
            "dual_report": dual_report.pk if dual_report else None,
            "area": area.pk,
            "capacity": capacity,
            "window": [facts.available_from, facts.available_until],
        },
    )
    return resource


@transaction.atomic
def resource_withdraw(*, actor, resource: Resource, reason: str = "") -> Resource:
    """The provider withdraws an offer: no new matches; running projects go on."""
    access.require_manage_resource(actor, resource)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not resource.is_active:
        raise Conflict(MSG_RESOURCE_WITHDRAWN, field="resource")
    resource.is_active = False
    resource.withdrawn_at = timezone.now()
    resource.save(update_fields=["is_active", "withdrawn_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=resource,
        changes={"is_active": {"old": True, "new": False}, "reason": (reason or "")[:200]},
    )
    return resource


RESOURCE_EDIT_FIELDS = (
    "title",
    "description",
    "capacity",
    "available_from",
    "available_until",
)


@transaction.atomic
def resource_update(
    *,
    actor,
    resource: Resource,
    title: str | None = None,
    description: str | None = None,
    capacity=None,
    available_from: datetime.date | None = None,
    available_until: datetime.date | None = None,
) -> Resource:
    """The provider corrects an offer: its name and description, its capacity (never
    below the projects it serves now) and its availability window. Kind, category and
    provider stay: running projects were matched on them."""
    access.require_manage_resource(actor, resource)
    values: dict = {}
    if title is not None:
        values["title"] = _text(title, field="title", max_length=100, required=MSG_TITLE)
    if description is not None:
        values["description"] = _text(description, field="description", max_length=TEXT_MAX)
    if capacity is not None:
        values["capacity"] = _integer(
            capacity, field="capacity", low=1, high=1000, message=MSG_CAPACITY
        )
    start = available_from if available_from is not None else resource.available_from
    end = available_until if available_until is not None else resource.available_until
    _window(start, end, start_field="available_from", end_field="available_until")
    values["available_from"], values["available_until"] = start, end
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if not locked.is_active:
        raise Conflict(MSG_RESOURCE_WITHDRAWN, field="resource")
    used = resource_used_capacity(locked)
    if values.get("capacity", locked.capacity) < used:
        raise ValidationFailed(str(MSG_CAPACITY_IN_USE).format(used=used), field="capacity")
    before = snapshot(resource, RESOURCE_EDIT_FIELDS)
    for key, value in values.items():
        setattr(resource, key, value)
    changes = changes_between(before, snapshot(resource, RESOURCE_EDIT_FIELDS))
    if changes:
        resource.save(update_fields=list(values))
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=resource, changes=changes)
    return resource


def resource_used_capacity(resource: Resource) -> int:
    """How many active projects the resource serves now."""
    return ProjectResource.objects.filter(
        resource=resource, project__state__in=Project.ACTIVE_STATES
    ).count()


def check_pair(need: Need, resource: Resource) -> int:
    """The territory distance of a need and a resource, or ValidationFailed naming why
    they cannot be paired: the same rules the solver applies."""
    if not resource.is_active:
        raise ValidationFailed(MSG_RESOURCE_WITHDRAWN, field="resource")
    if resource.category != need.category:
        raise ValidationFailed(MSG_CATEGORY_MISMATCH, field="resource")
    if not windows_overlap(
        need.window_start, need.window_end, resource.available_from, resource.available_until
    ):
        raise ValidationFailed(MSG_WINDOW_DISJOINT, field="resource")
    pair_distance = distance(
        Place.from_path(need.community.path), Place.from_path(resource.area.path)
    )
    if pair_distance is None:
        raise ValidationFailed(MSG_OTHER_DISTRICT, field="resource")
    return pair_distance


def _take_capacity(resource: Resource) -> int:
    """Lock the resource row, then count its use, so two accepts can never both take its
    last place. Returns the remaining capacity before this use."""
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    remaining = locked.capacity - resource_used_capacity(locked)
    if remaining <= 0:
        raise Conflict(MSG_CAPACITY_FULL, field="resource")
    return remaining


# ---- projects (项目清单) ---------------------------------------------------------------------


def _clean_owner(owner):
    if owner is None:
        return None
    if not getattr(owner, "is_active", False) or getattr(owner, "pk", None) is None:
        raise ValidationFailed(MSG_OWNER, field="owner")
    return owner


def _project_create(
    *,
    actor,
    need: Need,
    resources: list[Resource],
    title: str,
    owner,
    plan: str,
    budget,
    data: dict | None = None,
) -> Project:
    """Shared by a manual set-up and an accepted proposal: validate everything, then lock
    the need and each resource, then write."""
    if not resources:
        raise ValidationFailed(MSG_RESOURCES_REQUIRED, field="resources")
    if len({r.pk for r in resources}) != len(resources):
        raise ValidationFailed(MSG_RESOURCE_LINKED, field="resources")
    title = _text(title or need.title, field="title", max_length=100, required=MSG_TITLE)
    plan = _text(plan, field="plan", max_length=4000)
    budget = _decimal(budget or 0, field="budget", message=MSG_BUDGET)
    owner = _clean_owner(owner)
    for resource in resources:
        check_pair(need, resource)
    locked_need = Need.objects.select_for_update().get(pk=need.pk)
    if locked_need.status != Need.Status.OPEN:
        raise Conflict(MSG_NEED_NOT_OPEN, field="need")
    for resource in sorted(resources, key=lambda r: r.pk):  # one lock order: no deadlock
        _take_capacity(resource)
    project = Project.objects.create(
        title=title,
        need=need,
        provider_org=access.resource_provider_org(resources[0]),
        owner=owner,
        plan=plan,
        budget=budget,
    )
    ProjectResource.objects.bulk_create(
        [ProjectResource(project=project, resource=r) for r in resources]
    )
    need.status = locked_need.status = Need.Status.MATCHED
    Need.objects.filter(pk=need.pk).update(status=Need.Status.MATCHED)
    project_event(
        project,
        "propose",
        actor=actor,
        data={"resources": [r.pk for r in resources], **(data or {})},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=project,
        changes={
            "need": need.pk,
            "resources": [r.pk for r in resources],
            "owner": owner.pk if owner else None,
            "budget": str(budget),
            **(data or {}),
        },
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=need,
        changes={"status": {"old": "open", "new": "matched"}, "project": project.pk},
    )
    return project


@transaction.atomic
def project_create(
    *,
    actor,
    need: Need,
    resources: list[Resource],
    title: str = "",
    owner=None,
    plan: str = "",
    budget=0,
) -> Project:
    """Community staff set up a project for an open need by hand, with the resources
    they chose; the pairs must satisfy the matching rules (check_pair)."""
    access.require_manage_need(actor, need)
    return _project_create(
        actor=actor,
        need=need,
        resources=list(resources),
        title=title,
        owner=owner,
        plan=plan,
        budget=budget,
    )


def _lock_project(project: Project) -> Project:
    list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
    project.refresh_from_db(fields=["state"])
    return project


def _move(project: Project, action: str, *, actor, note: str = "", data=None, **fields) -> None:
    """Apply one transition: lock the row, check against the stored state, save, record."""
    _lock_project(project)
    transition = transition_for(project, action)
    before = project.state
    project.state = transition.target
    for key, value in fields.items():
        setattr(project, key, value)
    project.save(update_fields=["state", *fields])
    project_event(project, action, actor=actor, from_state=before, note=note, data=data)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=project,
        changes={"state": {"old": before, "new": project.state}, "action": action},
    )


@transaction.atomic
def project_claim(*, actor, project: Project, note: str = "") -> Project:
    """认领: the providing org takes the project on."""
    access.require_carry_out_project(actor, project)
    note = _text(note, field="note", max_length=TEXT_MAX)
    _move(project, "claim", actor=actor, note=note)
    return project


@transaction.atomic
def project_start(*, actor, project: Project, note: str = "") -> Project:
    access.require_carry_out_project(actor, project)
    note = _text(note, field="note", max_length=TEXT_MAX)
    _move(project, "start", actor=actor, note=note)
    return project


@transaction.atomic
def project_complete(*, actor, project: Project, note: str = "") -> Project:
    """Done: the resources' capacity is free again."""
    access.require_carry_out_project(actor, project)
    note = _text(note, field="note", max_length=TEXT_MAX)
    _move(project, "complete", actor=actor, note=note, completed_at=timezone.now())
    return project


@transaction.atomic
def project_evaluate(*, actor, project: Project, score: int, comment: str = "") -> Project:
    """The beneficiaries' evaluation (1–5 and a comment), entered by community staff or
    by the system from a residents' form; the need is then closed."""
    access.require_steer_project(actor, project)
    score = _integer(score, field="score", low=1, high=5, message=MSG_SCORE)
    comment = _text(comment, field="comment", max_length=500)
    _move(
        project,
        "evaluate",
        actor=actor,
        note=comment,
        data={"score": score},
        score=score,
        evaluation=comment,
        evaluated_at=timezone.now(),
    )
    updated = Need.objects.filter(pk=project.need_id, status=Need.Status.MATCHED).update(
        status=Need.Status.CLOSED
    )
    if updated:
        project.need.status = Need.Status.CLOSED
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CLOSE,
            target=project.need,
            changes={"status": {"old": "matched", "new": "closed"}, "project": project.pk},
        )
    return project


PLAN_FIELDS = ("title", "plan", "budget", "owner")


@transaction.atomic
def project_update_plan(
    *,
    actor,
    project: Project,
    title: str | None = None,
    plan: str | None = None,
    budget=None,
    owner=None,
) -> Project:
    """Change title, plan, budget or owner while the project is not yet completed."""
    access.require_steer_project(actor, project)
    values = {}
    if title is not None:
        values["title"] = _text(title, field="title", max_length=100, required=MSG_TITLE)
    if plan is not None:
        values["plan"] = _text(plan, field="plan", max_length=4000)
    if budget is not None:
        values["budget"] = _decimal(budget, field="budget", message=MSG_BUDGET)
    if owner is not None:
        values["owner"] = _clean_owner(owner)
    _lock_project(project)
    if not project.is_active:
        raise Conflict(MSG_PROJECT_FINISHED, field="state")
    before = snapshot(project, PLAN_FIELDS)
    for key, value in values.items():
        setattr(project, key, value)
    if values:
        project.save(update_fields=list(values))
    changes = changes_between(before, snapshot(project, PLAN_FIELDS))
    if changes:
        project_event(project, "update", actor=actor, from_state=project.state, data=changes)
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=project, changes=changes)
    return project


@transaction.atomic
def project_add_resource(*, actor, project: Project, resource: Resource) -> Project:
    """Bring one more resource into a running project, under the matching rules."""
    access.require_steer_project(actor, project)
    check_pair(project.need, resource)
    _lock_project(project)
    if not project.is_active:
        raise Conflict(MSG_PROJECT_FINISHED, field="state")
    if ProjectResource.objects.filter(project=project, resource=resource).exists():
        raise Conflict(MSG_RESOURCE_LINKED, field="resource")
    _take_capacity(resource)
    ProjectResource.objects.create(project=project, resource=resource)
    project_event(
        project,
        "add_resource",
        actor=actor,
        from_state=project.state,
        data={"resource": resource.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=project,
        changes={"resources": {"added": resource.pk}},
    )
    return project


# ---- matching (供需对接) ---------------------------------------------------------------------


@transaction.atomic
def match_run_create(*, actor, area: Area, today: datetime.date | None = None) -> MatchRun:
    """Propose the best assignment of a street's open needs (or a whole district's) to
    the resources of its district: as many needs as possible, then the nearest.

    Needs and resources whose windows have ended are left out, so every proposed overlap
    reaches today or later. Capacity already taken by active projects is subtracted.
    Proposals reserve nothing: accepting one checks the need and the capacity again.
    Each proposal's reason states the remaining capacity of its resource before the run.
    """
    access.require_manage_area(actor, area)
    if area.level not in (Area.Level.STREET, Area.Level.DISTRICT):
        raise ValidationFailed(MSG_RUN_LEVEL, field="area")
    today = today or timezone.localdate()
    district_path = "/".join(area.ancestor_codes()[:2]) + "/"
    need_rows = list(
        Need.objects.filter(
            status=Need.Status.OPEN,
            community__path__startswith=area.path,
            window_end__gte=today,
        )
        .order_by("id")
        .values_list("id", "category", "community__path", "window_start", "window_end")
    )
    categories = {row[1] for row in need_rows}
    resource_rows = list(
        Resource.objects.filter(
            is_active=True,
            area__path__startswith=district_path,
            available_until__gte=today,
            category__in=categories,
        )
        .annotate(
            used=Count(
                "project_links", filter=Q(project_links__project__state__in=Project.ACTIVE_STATES)
            )
        )
        .order_by("id")
        .values_list(
            "id", "category", "area__path", "available_from", "available_until", "capacity", "used"
        )
    )
    places: dict[str, Place] = {}

    def place(path: str) -> Place:
        found = places.get(path)
        if found is None:
            found = places[path] = Place.from_path(path)
        return found

    needs = [NeedSlot(i, c, place(p), s, e) for i, c, p, s, e in need_rows]
    remaining = {row[0]: row[5] - row[6] for row in resource_rows}
    resources = [
        ResourceSlot(i, c, place(p), s, e, remaining[i])
        for i, c, p, s, e, _capacity, _used in resource_rows
        if remaining[i] > 0
    ]
    solution = solve(needs, resources)
    run = MatchRun.objects.create(
        area=area,
        created_by=_actor(actor),
        needs_considered=len(needs),
        resources_considered=len(resources),
        matched=solution.matched,
        total_distance=solution.total_distance,
        solver_ms=round(solution.seconds * 1000),
    )
    category_of = {row[0]: row[1] for row in need_rows}
    labels = {value: str(label) for value, label in Category.choices}
    distance_labels = {key: str(label) for key, label in DISTANCE_LABELS.items()}
    template = str(MSG_MATCH_REASON)
    _insert_proposals(
        (
            run.pk,
            a.need_id,
            a.resource_id,
            a.resource_id,
            a.distance,
            template.format(
                category=labels[category_of[a.need_id]],
                distance=distance_labels[a.distance],
                start=a.overlap_start.isoformat(),
                end=a.overlap_end.isoformat(),
                remaining=remaining[a.resource_id],
            )[:300],
            MatchProposal.State.PENDING.value,
            "",
        )
        for a in solution.assignments
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=run,
        changes={
            "area": area.pk,
            "needs": run.needs_considered,
            "resources": run.resources_considered,
            "proposals": run.matched,
            "total_distance": run.total_distance,
        },
    )
    return run


_PROPOSAL_COLUMNS = (
    "run_id",
    "need_id",
    "resource_id",
    "proposed_resource_id",
    "distance",
    "reason",
    "state",
    "decision_note",
)


def _insert_proposals(rows, batch_size: int = 5000) -> None:
    """Write a run's proposals in bulk: a district run writes up to ~10⁵ rows, and
    building as many model instances (bulk_create) took several times longer than the
    solver. PostgreSQL takes them through COPY, other databases through one
    parameterised INSERT per batch. Columns not listed are NULL (not yet decided)."""
    table = connection.ops.quote_name(MatchProposal._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _PROPOSAL_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(_PROPOSAL_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def _lock_pending(proposal: MatchProposal) -> MatchProposal:
    locked = MatchProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != MatchProposal.State.PENDING:
        raise Conflict(MSG_PROPOSAL_DECIDED, field="state")
    return locked


def _decide(proposal: MatchProposal, state: str, *, actor, note: str = "", **fields) -> None:
    before = {"state": proposal.state, "resource": proposal.resource_id}
    proposal.state = state
    proposal.decided_by = _actor(actor)
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    for key, value in fields.items():
        setattr(proposal, key, value)
    proposal.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=proposal,
        changes=changes_between(before, {"state": proposal.state, "resource": proposal.resource_id})
        | ({"project": proposal.project_id} if proposal.project_id else {})
        | ({"note": note} if note else {}),
    )


@transaction.atomic
def proposal_accept(
    *, actor, proposal: MatchProposal, owner=None, title: str = "", plan: str = "", budget=0
) -> Project:
    """Staff accept a proposal: it becomes a project in state "proposed" (立项), which the
    providing org then claims (认领). The owner defaults to the accepting staff member."""
    access.require_decide_proposal(actor, proposal)
    locked = _lock_pending(proposal)
    project = _project_create(
        actor=actor,
        need=proposal.need,
        resources=[proposal.resource],
        title=title,
        owner=owner if owner is not None else _actor(actor),
        plan=plan,
        budget=budget,
        data={"proposal": proposal.pk},
    )
    _decide(locked, MatchProposal.State.ACCEPTED, actor=actor, project=project)
    proposal.refresh_from_db()
    return project


@transaction.atomic
def proposal_change(
    *,
    actor,
    proposal: MatchProposal,
    resource: Resource,
    owner=None,
    title: str = "",
    plan: str = "",
    budget=0,
    note: str = "",
) -> Project:
    """Staff pick another resource for the need, checked by the same rules (category,
    overlapping windows, same district, capacity left), and accept it at once: the
    project is set up with the chosen resource and the proposal keeps the solver's."""
    access.require_decide_proposal(actor, proposal)
    if resource.pk == proposal.resource_id:
        raise ValidationFailed(MSG_SAME_RESOURCE, field="resource")
    note = _text(note, field="note", max_length=200)
    locked = _lock_pending(proposal)
    project = _project_create(
        actor=actor,
        need=proposal.need,
        resources=[resource],
        title=title,
        owner=owner if owner is not None else _actor(actor),
        plan=plan,
        budget=budget,
        data={"proposal": proposal.pk, "changed_from": proposal.resource_id},
    )
    _decide(
        locked,
        MatchProposal.State.CHANGED,
        actor=actor,
        note=note,
        resource=resource,
        project=project,
    )
    proposal.refresh_from_db()
    return project


@transaction.atomic
def proposal_reject(*, actor, proposal: MatchProposal, note: str = "") -> MatchProposal:
    """Staff turn a proposal down; the need stays open for the next run."""
    access.require_decide_proposal(actor, proposal)
    note = _text(note, field="note", max_length=200)
    locked = _lock_pending(proposal)
    _decide(locked, MatchProposal.State.REJECTED, actor=actor, note=note)
    proposal.refresh_from_db()
    return proposal


# ---- agreements (共建协议) -------------------------------------------------------------------


@dataclass
class CommitmentSpec:
    side: str
    content: str
    target: Decimal | int | str
    measure: str


def _clean_commitment(spec: CommitmentSpec, *, prefix: str = "") -> CommitmentSpec:
    return CommitmentSpec(
        side=_choice(spec.side, Commitment.Side, field=f"{prefix}side", message=MSG_SIDE),
        content=_text(spec.content, field=f"{prefix}content", max_length=300, required=MSG_CONTENT),
        target=_decimal(spec.target, field=f"{prefix}target", message=MSG_TARGET, strict=True),
        measure=_text(spec.measure, field=f"{prefix}measure", max_length=20, required=MSG_MEASURE),
    )


@transaction.atomic
def agreement_create(
    *,
    actor,
    community: Area,
    unit: Unit,
    title: str,
    signed_on: datetime.date | None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    commitments: list[CommitmentSpec] = (),
) -> Agreement:
    """The community signs a co-building agreement with a resident unit, with each side's
    commitments. All commitments are checked before anything is written."""
    if community is None or community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(MSG_COMMUNITY, field="community")
    access.require_manage_area(actor, community)
    if unit.closed_on is not None:
        raise ValidationFailed(MSG_UNIT_CLOSED, field="unit")
    if Place.from_path(unit.area.path).district != Place.from_path(community.path).district:
        raise ValidationFailed(MSG_UNIT_DISTRICT, field="unit")
    title = _text(title, field="title", max_length=120, required=MSG_TITLE)
    if not isinstance(signed_on, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field="signed_on")
    valid_from = valid_from or signed_on
    if valid_until is not None:
        _window(valid_from, valid_until, start_field="valid_from", end_field="valid_until")
    specs = [
        _clean_commitment(spec, prefix=f"commitments[{i}].") for i, spec in enumerate(commitments)
    ]
    agreement = Agreement.objects.create(
        title=title,
        community=community,
        unit=unit,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=_actor(actor),
    )
    Commitment.objects.bulk_create(
        [
            Commitment(
                agreement=agreement,
                side=s.side,
                content=s.content,
                target=s.target,
                measure=s.measure,
            )
            for s in specs
        ]
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=agreement,
        changes={
            "community": community.pk,
            "unit": unit.pk,
            "valid": [valid_from, valid_until],
            "commitments": [[s.side, s.content, str(s.target), s.measure] for s in specs],
        },
    )
    return agreement


def _require_live(agreement: Agreement) -> None:
    if agreement.ended_on is not None:
        raise Conflict(MSG_AGREEMENT_ENDED, field="agreement")


@transaction.atomic
def commitment_add(*, actor, agreement: Agreement, spec: CommitmentSpec) -> Commitment:
    access.require_act_for_side(actor, agreement, Commitment.Side.COMMUNITY)
    spec = _clean_commitment(spec)
    _require_live(agreement)
    commitment = Commitment.objects.create(
        agreement=agreement,
        side=spec.side,
        content=spec.content,
        target=spec.target,
        measure=spec.measure,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=commitment,
        changes={"agreement": agreement.pk, "side": spec.side, "target": str(spec.target)},
    )
    return commitment


@transaction.atomic
def commitment_record(*, actor, commitment: Commitment, achieved) -> Commitment:
    """The committed side records how much it has achieved so far."""
    agreement = commitment.agreement
    access.require_act_for_side(actor, agreement, commitment.side)
    achieved = _decimal(achieved, field="achieved", message=MSG_ACHIEVED)
    _require_live(agreement)
    before = commitment.achieved
    commitment.achieved = achieved
    commitment.save(update_fields=["achieved"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=commitment,
        changes={"achieved": {"old": str(before), "new": str(achieved)}},
    )
    return commitment


@transaction.atomic
def agreement_review(
    *, actor, agreement: Agreement, year: int, reviewer: str, score: int, comment: str = ""
) -> AgreementReview:
    """双向考核: each side scores the other once a year (0–100). The community side is
    its staff; the unit side is the unit's party org (see access.can_act_for_side)."""
    reviewer = _choice(reviewer, AgreementReview.Reviewer, field="reviewer", message=MSG_REVIEWER)
    access.require_act_for_side(actor, agreement, reviewer)
    year = _integer(year, field="year", low=1949, high=9999, message=MSG_REVIEW_YEAR)
    last_year = timezone.localdate().year
    if agreement.valid_until is not None:
        last_year = min(last_year, agreement.valid_until.year)
    if agreement.ended_on is not None:
        last_year = min(last_year, agreement.ended_on.year)
    if not agreement.valid_from.year <= year <= last_year:
        raise ValidationFailed(MSG_REVIEW_YEAR, field="year")
    score = _integer(score, field="score", low=0, high=100, message=MSG_REVIEW_SCORE)
    comment = _text(comment, field="comment", max_length=500)
    if AgreementReview.objects.filter(agreement=agreement, year=year, reviewer=reviewer).exists():
        raise Conflict(MSG_REVIEW_EXISTS, field="year")
    try:
        with transaction.atomic():
            review = AgreementReview.objects.create(
                agreement=agreement,
                year=year,
                reviewer=reviewer,
                score=score,
                comment=comment,
                reviewed_by=_actor(actor),
            )
    except IntegrityError:
        raise Conflict(MSG_REVIEW_EXISTS, field="year") from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=review,
        changes={"agreement": agreement.pk, "year": year, "reviewer": reviewer, "score": score},
    )
    return review


@transaction.atomic
def agreement_end(
    *, actor, agreement: Agreement, ended_on: datetime.date | None = None
) -> Agreement:
    access.require_act_for_side(actor, agreement, Commitment.Side.COMMUNITY)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_live(agreement)
    ended_on = ended_on or timezone.localdate()
    if ended_on < agreement.valid_from:
        raise ValidationFailed(MSG_WINDOW_ORDER, field="ended_on")
    agreement.ended_on = ended_on
    agreement.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=agreement,
        changes={"ended_on": ended_on},
    )
    return agreement


# ---- joint meetings (联席会议) ---------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor,
    committee: BigCommittee,
    title: str,
    held_on: datetime.date | None,
    agenda: str,
    place: str = "",
) -> JointMeeting:
    """Call a joint meeting of a street's or community's big committee."""
    access.require_manage_committee(actor, committee)
    title = _text(title, field="title", max_length=120, required=MSG_TITLE)
    if not isinstance(held_on, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field="held_on")
    agenda = _text(agenda, field="agenda", max_length=4000, required=MSG_AGENDA)
    place = _text(place, field="place", max_length=120)
    meeting = JointMeeting.objects.create(
        committee=committee,
        title=title,
        held_on=held_on,
        place=place,
        agenda=agenda,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=meeting,
        changes={"committee": committee.pk, "held_on": held_on, "title": title},
    )
    return meeting


def _serving_on(member: PartTimeMember, day: datetime.date) -> bool:
    return member.started_on <= day and (member.ended_on is None or member.ended_on >= day)


@transaction.atomic
def meeting_record(
    *,
    actor,
    meeting: JointMeeting,
    attendees: list[PartTimeMember],
    minutes: str = "",
) -> JointMeeting:
    """Record who attended (part-time members of this committee serving that day) and
    the minutes. Replaces any earlier record of attendance."""
    access.require_manage_meeting(actor, meeting)
    minutes = _text(minutes, field="minutes", max_length=8000)
    attendees = list({m.pk: m for m in attendees}.values())
    for member in attendees:
        if member.committee_id != meeting.committee_id or not _serving_on(member, meeting.held_on):
            raise ValidationFailed(MSG_ATTENDEE, field="attendees")
    before = sorted(meeting.attendance.values_list("member_id", flat=True))
    meeting.attendance.all().delete()
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, member=m) for m in attendees]
    )
    old_minutes = meeting.minutes
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=meeting,
        changes=changes_between(
            {"attendees": before, "minutes": old_minutes},
            {"attendees": sorted(m.pk for m in attendees), "minutes": minutes},
        ),
    )
    return meeting


@transaction.atomic
def meeting_task_add(
    *,
    actor,
    meeting: JointMeeting,
    decision: str,
    deadline: datetime.date | None,
    owner_member: PartTimeMember | None = None,
    owner_name: str = "",
) -> MeetingTask:
    """A decision of the meeting becomes a task with an owner (a part-time member, or a
    named person or unit) and a deadline."""
    access.require_manage_meeting(actor, meeting)
    decision = _text(decision, field="decision", max_length=300, required=MSG_CONTENT)
    owner_name = _text(owner_name, field="owner_name", max_length=100)
    if owner_member is None and not owner_name:
        raise ValidationFailed(MSG_TASK_OWNER, field="owner_name")
    if owner_member is not None and owner_member.committee_id != meeting.committee_id:
        raise ValidationFailed(MSG_TASK_OWNER_COMMITTEE, field="owner_member")
    if not isinstance(deadline, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field="deadline")
    if deadline < meeting.held_on:
        raise ValidationFailed(MSG_DEADLINE, field="deadline")
    task = MeetingTask.objects.create(
        meeting=meeting,
        decision=decision,
        owner_member=owner_member,
        owner_name=owner_name,
        deadline=deadline,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=task,
        changes={
            "meeting": meeting.pk,
            "deadline": deadline,
            "owner_member": owner_member.pk if owner_member else None,
            "owner_name": owner_name,
        },
    )
    return task


@transaction.atomic
def meeting_task_done(*, actor, task: MeetingTask, note: str = "") -> MeetingTask:
    access.require_manage_task(actor, task)
    note = _text(note, field="note", max_length=500)
    locked = MeetingTask.objects.select_for_update().get(pk=task.pk)
    if locked.status == MeetingTask.Status.DONE:
        raise Conflict(MSG_TASK_DONE, field="status")
    task.status = MeetingTask.Status.DONE
    task.done_at = timezone.now()
    task.done_note = note
    task.save(update_fields=["status", "done_at", "done_note"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=task,
        changes={"status": {"old": "open", "new": "done"}, "note": note},
    )
    return task


# ---- venues (阵地) ---------------------------------------------------------------------------


@transaction.atomic
def venue_create(
    *,
    actor,
    name: str,
    kind: str,
    floor_area,
    area: Area | None = None,
    unit: Unit | None = None,
    address: str = "",
    opening_hours: str = "",
) -> Venue:
    """Register a party–mass service centre (street or community staff) or a venue a unit
    opens to residents (the unit's org, or the territory staff)."""
    kind = _choice(kind, Venue.Kind, field="kind", message=MSG_KIND)
    if kind == Venue.Kind.SERVICE_CENTRE:
        if unit is not None:
            raise ValidationFailed(MSG_VENUE_UNIT, field="unit")
        if area is None or area.level not in (Area.Level.STREET, Area.Level.COMMUNITY):
            raise ValidationFailed(MSG_VENUE_LEVEL, field="area")
        access.require_manage_area(actor, area)
    else:
        if unit is None:
            raise ValidationFailed(MSG_VENUE_UNIT, field="unit")
        area = area or unit.area
        if not (access.can_manage_area(actor, area) or access.can_act_for_unit(actor, unit)):
            access.require_act_for_unit(actor, unit)
        if area.level not in RESOURCE_AREA_LEVELS:
            raise ValidationFailed(MSG_AREA_LEVEL, field="area")
    name = _text(name, field="name", max_length=120, required=MSG_TITLE)
    floor_area = _decimal(floor_area, field="floor_area", message=MSG_FLOOR_AREA, strict=True)
    venue = Venue.objects.create(
        name=name,
        kind=kind,
        area=area,
        unit=unit,
        address=_text(address, field="address", max_length=200),
        floor_area=floor_area,
        opening_hours=_text(opening_hours, field="opening_hours", max_length=100),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=venue,
        changes={
            "kind": kind,
            "area": area.pk,
            "unit": unit.pk if unit else None,
            "floor_area": str(floor_area),
        },
    )
    return venue


@transaction.atomic
def venue_update(*, actor, venue: Venue, floor_area=None, opening_hours=None) -> Venue:
    access.require_manage_venue(actor, venue)
    before = snapshot(venue, ("floor_area", "opening_hours"))
    if floor_area is not None:
        venue.floor_area = _decimal(
            floor_area, field="floor_area", message=MSG_FLOOR_AREA, strict=True
        )
    if opening_hours is not None:
        venue.opening_hours = _text(opening_hours, field="opening_hours", max_length=100)
    venue.save(update_fields=["floor_area", "opening_hours"])
    changes = changes_between(before, snapshot(venue, ("floor_area", "opening_hours")))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=venue, changes=changes)
    return venue


@transaction.atomic
def venue_close(*, actor, venue: Venue, closed_on: datetime.date | None = None) -> Venue:
    access.require_manage_venue(actor, venue)
    if venue.closed_on is not None:
        raise Conflict(MSG_VENUE_CLOSED, field="closed_on")
    venue.closed_on = closed_on or timezone.localdate()
    venue.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=venue,
        changes={"closed_on": venue.closed_on},
    )
    return venue


@transaction.atomic
def room_add(
    *,
    actor,
    venue: Venue,
    name: str,
    floor_area=None,
    seats: int = 0,
    uses: str = "",
) -> Room:
    access.require_manage_venue(actor, venue)
    if venue.closed_on is not None:
        raise Conflict(MSG_VENUE_CLOSED, field="venue")
    name = _text(name, field="name", max_length=60, required=MSG_TITLE)
    if floor_area is not None:
        floor_area = _decimal(floor_area, field="floor_area", message=MSG_FLOOR_AREA, strict=True)
    seats = _integer(seats, field="seats", low=0, high=100_000, message=MSG_SEATS)
    uses = _text(uses, field="uses", max_length=200)
    if Room.objects.filter(venue=venue, name=name).exists():
        raise Conflict(MSG_ROOM_NAME_TAKEN, field="name")
    try:
        with transaction.atomic():
            room = Room.objects.create(
                venue=venue, name=name, floor_area=floor_area, seats=seats, uses=uses
            )
    except IntegrityError:
        raise Conflict(MSG_ROOM_NAME_TAKEN, field="name") from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=room,
        changes={"venue": venue.pk, "name": name, "seats": seats},
    )
    return room


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def booking_create(
    *,
    actor,
    room: Room,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    purpose: str,
    booked_for: str = "",
) -> Booking:
    """Book a room. Two live bookings of one room never overlap: the room row is locked
    (SELECT … FOR UPDATE on PostgreSQL; SQLite serializes writers anyway) before the
    check, so concurrent requests for the same slot queue and the second one sees the
    first one's booking."""
    access.require_manage_room(actor, room)
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
            raise ValidationFailed(MSG_TIME_REQUIRED, field=name)
    if ends_at <= starts_at:
        raise ValidationFailed(MSG_BOOKING_ORDER, field="ends_at")
    if ends_at - starts_at > datetime.timedelta(hours=24):
        raise ValidationFailed(MSG_BOOKING_LONG, field="ends_at")
    purpose = _text(purpose, field="purpose", max_length=200, required=MSG_PURPOSE)
    booked_for = _text(booked_for, field="booked_for", max_length=100)
    locked = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
    if locked.venue.closed_on is not None:
        raise Conflict(MSG_VENUE_CLOSED, field="room")
    if not locked.is_active:
        raise Conflict(MSG_ROOM_INACTIVE, field="room")
    clash = (
        Booking.objects.filter(
            room=locked, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        message = str(MSG_BOOKING_CONFLICT).format(
            start=_local(clash.starts_at), end=_local(clash.ends_at), purpose=clash.purpose
        )
        raise Conflict(message, field="starts_at", code="booking_conflict")
    booking = Booking.objects.create(
        room=locked,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
        booked_for=booked_for,
        booked_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=booking,
        changes={
            "room": room.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "purpose": purpose,
        },
    )
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: Booking) -> Booking:
    access.require_manage_booking(actor, booking)
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.cancelled_at is not None:
        raise Conflict(MSG_BOOKING_CANCELLED, field="booking")
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=booking,
        changes={"cancelled_at": booking.cancelled_at},
    )
    return booking

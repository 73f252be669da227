"""Every write to appeals: intake, the case's life, summons, mediation, deadlines.

Each step checks access, validates, changes the case in one transaction through the
transition table (appeals.states) and writes an AppealEvent; audit entries record who
did it. Side effects (none yet) would go out on commit.
"""

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.appeals import access, rollup
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    Category,
    HandlerMembership,
    HandlingUnit,
    Mediation,
    RoutingRule,
    Summons,
    SummonsTarget,
)
from jiceng.appeals.routing import route
from jiceng.appeals.states import transition_for
from jiceng.core import crypto, idempotency
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.inputs import check_model_text, check_text
from jiceng.core.masking import redact_personal
from jiceng.core.models import Area, AuditEntry
from jiceng.core.uploads import MSG_IMAGE_SIZE, MSG_IMAGE_TYPE, reencode_image
from jiceng.core.validators import clean_name, clean_text, validate_phone
from jiceng.core.workdays import add_hours, add_working_days

DESCRIPTION_MAX = 2000
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read over the phone

MSG_DESCRIPTION = _("请填写诉求内容")
MSG_DESCRIPTION_LONG = _("诉求内容不能超过2000字")
MSG_PUBLISH_PERSONAL = _("公开描述中仍有电话号码或身份证号，请删除后再公开")
MSG_CATEGORY = _("诉求类别无效")
MSG_AREA_LEVEL = _("发生地应为社区、网格或楼栋")
# Kept under these names for callers and tests; the checks live in core.uploads.
MSG_PHOTO_TYPE = MSG_IMAGE_TYPE
MSG_PHOTO_SIZE = MSG_IMAGE_SIZE
MSG_REASON = _("请填写原因")
MSG_REPLY = _("请填写答复内容")
MSG_UNIT_INACTIVE = _("承办单位已停用")
MSG_UNIT_TERRITORY = _("承办单位不负责该区域")
MSG_SATISFACTION = _("满意度无效")
MSG_REOPEN_LATE = _("已超过可申请重办的期限")
MSG_REOPEN_SATISFIED = _("评价为满意的诉求不能重办")
MSG_SUMMONS_UNITS = _("请选择至少一个职能部门")
MSG_SUMMONS_KIND = _("只能向职能部门吹哨")
MSG_SUMMONS_DONE = _("已报到，不能重复操作")
MSG_SUMMONS_NOT_REPORTED = _("请先报到")
MSG_CASE_CLOSED = _("诉求已办结")
MSG_NO_RULE = _("没有匹配的派单规则，请街道人工派单")
MSG_ROUTING_PENDING = _("该诉求正在自动派单，请稍后再操作")
MSG_POSSIBLE_DUPLICATE = _("同一地点有相似的未办结诉求，请街道确认后派单")
MSG_PARTIES = _("请填写当事人")
MSG_OUTCOME = _("调解结果无效")
MSG_NOT_MEDIATION = _("该诉求不是矛盾纠纷类")

INTAKE_AREA_LEVELS = {Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING}


def new_tracking_code() -> str:
    """12 characters of TRACKING_ALPHABET, uniformly at random: one draw of 80 random
    bits read in base 31 (the bias of 2^80 mod 31^12 is below one in a million), not
    twelve calls to the system's random source."""
    number = int.from_bytes(secrets.token_bytes(10)) % len(TRACKING_ALPHABET) ** 12
    code = []
    for _position in range(12):
        number, digit = divmod(number, len(TRACKING_ALPHABET))
        code.append(TRACKING_ALPHABET[digit])
    return "".join(code)


def street_of(area: Area) -> Area:
    """The street-level ancestor: the third element of the path (city/district/street)."""
    street_code = area.path.split("/")[2]
    return Area.objects.get(code=street_code)


def community_of(area: Area) -> Area:
    """The community-level ancestor (or the area itself): the fourth path element."""
    if area.level == Area.Level.COMMUNITY:
        return area
    return Area.objects.get(code=area.path.split("/")[3])


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(appeal, action, *, actor, from_state="", note="", public=False, data=None):
    return AppealEvent.objects.create(
        appeal=appeal,
        action=action,
        from_state=from_state,
        to_state=appeal.state,
        at=timezone.now(),
        actor=_actor(actor),
        actor_label=(actor.get_username() if _actor(actor) else "system"),
        note=note,
        is_public=public,
        data=data or {},
    )


def _move(appeal: Appeal, action: str, *, actor, note="", public=False, data=None, **fields):
    """Apply one transition: lock the row, check the transition against the state as
    stored (not as the caller last saw it), set the state and fields, save, record."""
    list(Appeal.objects.select_for_update().filter(pk=appeal.pk).values_list("pk"))
    appeal.refresh_from_db(fields=["state", "routing_pending"])
    if appeal.routing_pending:
        # `process-intake` routes it within the minute; a hand dispatch meanwhile would
        # race the automatic one.
        raise Conflict(MSG_ROUTING_PENDING, field="state", code="routing_pending")
    transition = transition_for(appeal, action)
    before = appeal.state
    counted = rollup.contribution(appeal)
    appeal.state = transition.target
    for key, value in fields.items():
        setattr(appeal, key, value)
    appeal.save(update_fields=["state", *fields])
    rollup.apply(appeal, counted, rollup.contribution(appeal))
    event = _event(
        appeal, action, actor=actor, from_state=before, note=note, public=public, data=data
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=appeal,
        changes={"state": {"old": before, "new": appeal.state}, "action": action},
    )
    return event


def check_photo(photo):
    """The photo as it will be stored: decoded and encoded again under a generated name
    (core.uploads), or ValidationFailed naming the field; None for no photo."""
    if photo is None:
        return None
    return reencode_image(photo, field="photo")


def deadlines(category: Category, received_at: datetime.datetime):
    response_due = add_hours(received_at, category.response_hours)
    if category.resolution_unit == Category.DeadlineUnit.HOURS:
        resolution_due = add_hours(received_at, category.resolution_amount)
    else:
        resolution_due = add_working_days(received_at, category.resolution_amount)
    return response_due, resolution_due


def possible_duplicates(appeal: Appeal, *, limit: int = 5):
    """Open cases at the same place and in the same category with overlapping words."""
    from jiceng.appeals.selectors import similar_open_appeals

    return similar_open_appeals(appeal, limit=limit)


@dataclass
class Intake:
    """What a resident, an operator, a grid worker or another system submits."""

    channel: str
    category: Category
    area: Area
    description: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    latitude: float | None = None
    longitude: float | None = None
    client: str = ""
    idempotency_key: str = ""


def intake_texts(intake: Intake) -> dict[str, str]:
    """The checks every intake passes (category, place, text, phone), and the case's
    text fields as stored: description, address, contact name, encrypted phone."""
    category = intake.category
    if category is None or not category.is_active:
        raise ValidationFailed(MSG_CATEGORY, field="category")
    if intake.area is None or intake.area.level not in INTAKE_AREA_LEVELS:
        raise ValidationFailed(MSG_AREA_LEVEL, field="area")
    # The input policy (core.inputs) for every way a case enters: pages, API, Open311,
    # bulk recording; control characters are refused naming the field.
    description = check_text(intake.description, field="description", kind="multiline")
    if not description:
        raise ValidationFailed(MSG_DESCRIPTION, field="description")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(MSG_DESCRIPTION_LONG, field="description")
    address = check_model_text(Appeal, "address", intake.address)
    contact_name = check_model_text(Appeal, "contact_name", intake.contact_name, kind="name")
    raw_phone = check_text(intake.contact_phone, field="contact_phone", kind="number")
    phone = validate_phone(raw_phone, field="contact_phone") if raw_phone else ""
    return {
        "description": description,
        "address": address,
        "contact_name": contact_name,
        "contact_phone_encrypted": crypto.encrypt(phone) if phone else "",
    }


def intake_keys(intake: Intake) -> tuple[str, str]:
    """The client as stored (64 characters at most) and its idempotency key, kept whole
    up to 255 characters and never trimmed (core.idempotency)."""
    client = check_text(intake.client, field="client", max_length=64, kind="code")
    return client, idempotency.clean_key(intake.idempotency_key)


def intake_request(intake: Intake) -> dict:
    """What an intake asks for, as its idempotency digest covers it: the same case sent
    again through any channel has the same request, another case another one."""
    return {
        "channel": intake.channel,
        "category": intake.category.code if intake.category else None,
        "area": intake.area.pk if intake.area else None,
        "description": intake.description,
        "address": intake.address,
        "contact_name": intake.contact_name,
        "contact_phone": intake.contact_phone,
        "latitude": intake.latitude,
        "longitude": intake.longitude,
    }


def appeal_intake(*, actor, intake: Intake, photo=None) -> tuple[Appeal, bool]:
    """Receive a case and route it. Returns (appeal, created).

    With an idempotency key (core.idempotency), a retry of the same case by the same
    client returns the first case and creates nothing; the same key with another case
    is refused (422) and a retry while the first is still being handled gets 409.

    Residents need no account (actor None); staff and grid workers file within their
    territory. The case is dispatched at once when a rule matches and no similar open
    case exists at the place; otherwise it waits in the street's queue with the reason.
    """
    client, key = intake_keys(intake)
    return idempotency.idempotent(
        client=client,
        key=key,
        request=intake_request(intake),
        model=Appeal,
        work=lambda: _appeal_intake(actor=actor, intake=intake, photo=photo, key=key),
        existing=lambda: Appeal.objects.filter(client=client, idempotency_key=key).first(),
    )


@transaction.atomic
def _appeal_intake(*, actor, intake: Intake, photo, key: str) -> Appeal:
    client, _key = intake_keys(intake)
    if actor is not None:
        from jiceng.core.scope import scope_for

        if not scope_for(actor).contains(intake.area):
            require_manage_area(actor, intake.area)
    category = intake.category
    texts = intake_texts(intake)
    photo = check_photo(photo)
    now = timezone.now()
    response_due, resolution_due = deadlines(category, now)
    appeal = Appeal(
        tracking_code=new_tracking_code(),
        channel=intake.channel,
        category=category,
        area=intake.area,
        street=street_of(intake.area),
        community=community_of(intake.area),
        latitude=intake.latitude,
        longitude=intake.longitude,
        **texts,
        received_at=now,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        client=client,
        idempotency_key=key,
        created_by=_actor(actor),
    )
    if photo is not None:
        appeal.photo = photo
    appeal.save()
    rollup.apply(appeal, rollup.NOTHING, rollup.contribution(appeal))
    _event(appeal, "receive", actor=actor, public=True, note=str(_("诉求已受理")))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=appeal,
        changes={
            "channel": appeal.channel,
            "category": category.code,
            "area": appeal.area_id,
            "client": client,  # which system filed it (e.g. the Open311 key's id)
        },
    )
    rule = route(category, appeal.area)
    if rule is None:
        appeal.unroutable_reason = str(MSG_NO_RULE)
        appeal.save(update_fields=["unroutable_reason"])
    elif possible_duplicates(appeal):
        appeal.unroutable_reason = str(MSG_POSSIBLE_DUPLICATE)
        appeal.save(update_fields=["unroutable_reason"])
    else:
        _move(
            appeal,
            "dispatch",
            actor=None,
            unit=rule.unit,
            data={"unit": rule.unit_id, "rule": rule.pk},
            public=True,
            note=str(_("已派至{unit}")).format(unit=rule.unit.name),
        )
    return appeal


def _check_unit_for(appeal: Appeal, unit: HandlingUnit) -> None:
    if not unit.is_active:
        raise ValidationFailed(MSG_UNIT_INACTIVE, field="unit")
    # A unit answers for its area; a department may serve the district above the street.
    if not (
        appeal.area.path.startswith(unit.area.path) or unit.area.path.startswith(appeal.street.path)
    ):
        raise ValidationFailed(MSG_UNIT_TERRITORY, field="unit")


@transaction.atomic
def appeal_dispatch(*, actor, appeal: Appeal, unit: HandlingUnit, note: str = "") -> Appeal:
    """The street sends a waiting, returned or reopened case to a handling unit."""
    access.require_dispatch(actor, appeal)
    _check_unit_for(appeal, unit)
    _move(
        appeal,
        "dispatch",
        actor=actor,
        note=note,
        unit=unit,
        unroutable_reason="",
        data={"unit": unit.pk},
    )
    return appeal


@transaction.atomic
def appeal_accept(*, actor, appeal: Appeal) -> Appeal:
    """The unit signs for the case; the response clock stops."""
    access.require_handle(actor, appeal)
    now = timezone.now()
    fields = {}
    if appeal.responded_at is None:
        fields["responded_at"] = now
    _move(appeal, "accept", actor=actor, public=True, note=str(_("承办单位已签收")), **fields)
    return appeal


@transaction.atomic
def appeal_return(*, actor, appeal: Appeal, reason: str) -> Appeal:
    """退单: the unit says the case is not theirs; it goes back to the street's queue."""
    access.require_handle(actor, appeal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason")
    unit = appeal.unit
    _move(
        appeal,
        "return",
        actor=actor,
        note=reason[:500],
        unit=None,
        unroutable_reason=str(_("退单：{reason}")).format(reason=reason[:150]),
        data={"unit": unit.pk if unit else None},
    )
    return appeal


@transaction.atomic
def appeal_start(*, actor, appeal: Appeal, note: str = "") -> Appeal:
    access.require_handle(actor, appeal)
    _move(appeal, "start", actor=actor, note=note[:500])
    return appeal


@transaction.atomic
def appeal_reply(*, actor, appeal: Appeal, reply: str) -> Appeal:
    """The unit answers the resident; the answer is public on the tracking page."""
    access.require_handle(actor, appeal)
    reply = clean_text(reply, multiline=True)
    if not reply:
        raise ValidationFailed(MSG_REPLY, field="reply")
    if len(reply) > DESCRIPTION_MAX:
        raise ValidationFailed(MSG_DESCRIPTION_LONG, field="reply")
    _move(
        appeal,
        "reply",
        actor=actor,
        note=reply,
        public=True,
        replied_at=timezone.now(),
        public_reply=reply,
    )
    return appeal


@transaction.atomic
def appeal_publish_description(*, actor, appeal: Appeal, text: str) -> Appeal:
    """Let the public feed (Open311) show an edit of the case's description, as
    FixMyStreet's moderators do: the staff member takes out names, addresses, room
    numbers, phone and ID numbers; numbers the masking still finds are refused. An
    empty text withdraws what was published. The resident's own words are kept as
    they were; one internal event and one audit row record who published what."""
    access.require_publish_description(actor, appeal)
    text = check_model_text(Appeal, "public_description", text, kind="multiline")
    if redact_personal(text) != text:
        raise ValidationFailed(MSG_PUBLISH_PERSONAL, field="public_description")
    before = appeal.public_description
    published = bool(text)
    appeal.public_description = text
    appeal.description_published_at = timezone.now() if published else None
    appeal.description_published_by = _actor(actor) if published else None
    appeal.save(
        update_fields=[
            "public_description",
            "description_published_at",
            "description_published_by",
        ]
    )
    _event(
        appeal,
        "publish" if published else "unpublish",
        actor=actor,
        from_state=appeal.state,
        data={"characters": len(text)},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=appeal,
        changes={"public_description": {"old": before, "new": text}},
    )
    return appeal


@transaction.atomic
def appeal_rate(*, appeal: Appeal, resolved: bool, satisfaction: str, comment: str = "") -> Appeal:
    """The resident rates the answer through the tracking code. A satisfied or basically
    satisfied rating closes the case; an unsatisfied one leaves it open for reopening."""
    if satisfaction not in Appeal.Satisfaction.values:
        raise ValidationFailed(MSG_SATISFACTION, field="satisfaction")
    _move(
        appeal,
        "rate",
        actor=None,
        note=clean_text(comment, multiline=True)[:500],
        public=True,
        resolved=bool(resolved),
        satisfaction=satisfaction,
        rated_at=timezone.now(),
    )
    if satisfaction != Appeal.Satisfaction.UNSATISFIED:
        _move(appeal, "close", actor=None, public=True, closed_at=timezone.now())
    return appeal


@transaction.atomic
def appeal_reopen(*, actor, appeal: Appeal, reason: str) -> Appeal:
    """The resident (actor None) or the street reopens an answer the resident did not
    accept, within the category's reopen period counted from the reply."""
    if actor is not None:
        access.require_dispatch(actor, appeal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason")
    if appeal.satisfaction and appeal.satisfaction != Appeal.Satisfaction.UNSATISFIED:
        raise Conflict(MSG_REOPEN_SATISFIED, field="state")
    limit = (appeal.replied_at or appeal.received_at) + datetime.timedelta(
        days=appeal.category.reopen_days
    )
    if timezone.now() > limit:
        raise Conflict(MSG_REOPEN_LATE, field="state")
    now = timezone.now()
    response_due, resolution_due = deadlines(appeal.category, now)
    _move(
        appeal,
        "reopen",
        actor=actor,
        note=reason[:500],
        public=True,
        reopen_count=appeal.reopen_count + 1,
        closed_at=None,
        unroutable_reason=str(_("重办：{reason}")).format(reason=reason[:150]),
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        response_overdue=False,
        resolution_overdue=False,
    )
    return appeal


@transaction.atomic
def appeal_close_unrated(*, appeal: Appeal, note: str = "") -> Appeal:
    """The system closes a replied case the resident did not rate in time."""
    _move(appeal, "close", actor=None, note=note, public=True, closed_at=timezone.now())
    return appeal


# ---- summons (吹哨报到) -----------------------------------------------------------------------


@transaction.atomic
def summons_create(
    *,
    actor,
    appeal: Appeal,
    units: list[HandlingUnit],
    reason: str,
    report_hours: int = 24,
    act_working_days: int = 3,
) -> Summons:
    """The street blows the whistle: each department must report within `report_hours`
    and act within `act_working_days`."""
    access.require_dispatch(actor, appeal)
    if not appeal.is_open:
        raise Conflict(MSG_CASE_CLOSED, field="state")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason")
    units = list({u.pk: u for u in units}.values())
    if not units:
        raise ValidationFailed(MSG_SUMMONS_UNITS, field="units")
    for unit in units:
        if unit.kind != HandlingUnit.Kind.DEPARTMENT:
            raise ValidationFailed(MSG_SUMMONS_KIND, field="units")
        _check_unit_for(appeal, unit)
    now = timezone.now()
    summons = Summons.objects.create(
        appeal=appeal,
        street=appeal.street,
        reason=reason[:300],
        created_at=now,
        created_by=_actor(actor),
    )
    SummonsTarget.objects.bulk_create(
        SummonsTarget(
            summons=summons,
            unit=unit,
            report_due_at=add_hours(now, report_hours),
            act_due_at=add_working_days(now, act_working_days),
        )
        for unit in units
    )
    _event(
        appeal,
        "summon",
        actor=actor,
        from_state=appeal.state,
        note=reason,
        data={"summons": summons.pk, "units": [u.pk for u in units]},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=summons,
        changes={"units": [u.pk for u in units], "reason": reason},
    )
    return summons


@transaction.atomic
def summons_report(*, actor, target: SummonsTarget) -> SummonsTarget:
    """报到: the department answers the whistle."""
    access.require_summons_answer(actor, target)
    target = SummonsTarget.objects.select_for_update().get(pk=target.pk)
    if target.reported_at is not None:
        raise Conflict(MSG_SUMMONS_DONE, field="reported_at")
    target.reported_at = timezone.now()
    target.reported_by = _actor(actor)
    target.save(update_fields=["reported_at", "reported_by"])
    appeal = target.summons.appeal
    _event(
        appeal,
        "summons_report",
        actor=actor,
        from_state=appeal.state,
        data={"target": target.pk, "unit": target.unit_id},
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes={"reported": True}
    )
    return target


@transaction.atomic
def summons_act(*, actor, target: SummonsTarget, note: str) -> SummonsTarget:
    """The department records what it did on the case."""
    access.require_summons_answer(actor, target)
    target = SummonsTarget.objects.select_for_update().get(pk=target.pk)
    if target.reported_at is None:
        raise Conflict(MSG_SUMMONS_NOT_REPORTED, field="reported_at")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(MSG_REPLY, field="note")
    target.acted_at = timezone.now()
    target.action_note = note[:2000]
    target.save(update_fields=["acted_at", "action_note"])
    appeal = target.summons.appeal
    _event(
        appeal,
        "summons_act",
        actor=actor,
        from_state=appeal.state,
        note=note,
        data={"target": target.pk, "unit": target.unit_id},
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes={"acted": True}
    )
    return target


# ---- mediation -----------------------------------------------------------------------------


@transaction.atomic
def mediation_record(
    *,
    actor,
    appeal: Appeal,
    parties: list[str],
    outcome: str = "",
    agreement: str = "",
    mediator: str = "",
    mediated_on: datetime.date | None = None,
) -> Mediation:
    """Record the parties and the outcome of a dispute case (枫桥经验: settled locally)."""
    access.require_handle(actor, appeal)
    if not appeal.category.is_mediation:
        raise ValidationFailed(MSG_NOT_MEDIATION, field="category")
    parties = [clean_name(p) for p in parties if clean_name(p)]
    if len(parties) < 2:
        raise ValidationFailed(MSG_PARTIES, field="parties")
    if outcome and outcome not in Mediation.Outcome.values:
        raise ValidationFailed(MSG_OUTCOME, field="outcome")
    mediation, _created = Mediation.objects.update_or_create(
        appeal=appeal,
        defaults={
            "parties": parties[:10],
            "outcome": outcome,
            "agreement": (agreement or "").strip()[:2000],
            "mediator": (mediator or "").strip()[:50],
            "mediated_on": mediated_on,
        },
    )
    _event(appeal, "mediation", actor=actor, from_state=appeal.state, data={"outcome": outcome})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=mediation,
        changes={"parties": len(parties), "outcome": outcome},
    )
    return mediation


# ---- configuration -------------------------------------------------------------------------


@transaction.atomic
def handling_unit_create(*, actor, name: str, kind: str, area: Area) -> HandlingUnit:
    require_manage_area(actor, area)
    name = clean_text(name)
    if not name:
        raise ValidationFailed(_("请填写名称"), field="name")
    if kind not in HandlingUnit.Kind.values:
        raise ValidationFailed(_("类型无效"), field="kind")
    unit = HandlingUnit.objects.create(name=name[:80], kind=kind, area=area)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=unit, changes={"kind": kind})
    return unit


@transaction.atomic
def handler_add(*, actor, unit: HandlingUnit, user) -> HandlerMembership:
    require_manage_area(actor, unit.area)
    membership, created = HandlerMembership.objects.get_or_create(
        unit=unit, user=user, ended_at__isnull=True
    )
    if created:
        audit_record(
            actor=actor, action=AuditEntry.Action.GRANT, target=unit, changes={"handler": user.pk}
        )
    return membership


@transaction.atomic
def routing_rule_set(
    *, actor, area: Area, unit: HandlingUnit, category: Category | None = None
) -> RoutingRule:
    """Create or replace the rule for (category, area)."""
    require_manage_area(actor, area)
    check_rule(area=area, unit=unit)
    rule, _created = RoutingRule.objects.update_or_create(
        category=category, area=area, defaults={"unit": unit}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=rule,
        changes={"category": category.code if category else None, "unit": unit.pk},
    )
    return rule


MSG_CATEGORY_CODE = _("编码应为2到40位小写字母、数字、下划线或连字符")
MSG_CATEGORY_CODE_TAKEN = _("该编码已被使用")
MSG_CATEGORY_NAME = _("请填写名称")
MSG_CATEGORY_GROUP = _("请填写大类")
MSG_RESPONSE_HOURS = _("响应时限应为1到720小时")
MSG_RESOLUTION_AMOUNT = _("办结时限应为1到365")
MSG_RESOLUTION_UNIT = _("办结时限单位无效")
MSG_REOPEN_DAYS = _("可重办天数应为0到90天")
MSG_RESOLUTION_BEFORE_RESPONSE = _("办结时限不能短于响应时限")
MSG_HANDLER_UNKNOWN = _("没有该用户，或该用户不在您管理的辖区内")
MSG_RULE_UNIT_AREA = _("承办单位的负责区域不包含该区域")
MSG_RULE_AREA_LEVEL = _("派单规则应设在区、街道、社区或网格")


@dataclass
class CategoryFacts:
    name: str
    group: str
    response_hours: int
    resolution_amount: int
    resolution_unit: str
    reopen_days: int = 7
    description: str = ""
    is_mediation: bool = False
    is_active: bool = True
    sort: int = 0


def _require_city(actor) -> None:
    """Categories and their deadlines hold for the whole city: only who manages the city
    (the root area) may change them."""
    root = Area.objects.filter(parent__isnull=True).order_by("id").first()
    if root is None:
        raise ValidationFailed(MSG_CATEGORY, field="category")
    require_manage_area(actor, root)


def _clean_category(facts: CategoryFacts) -> dict:
    name = clean_text(facts.name)
    if not name or len(name) > 50:
        raise ValidationFailed(MSG_CATEGORY_NAME, field="name")
    group = clean_text(facts.group)
    if not group or len(group) > 30:
        raise ValidationFailed(MSG_CATEGORY_GROUP, field="group")
    if not (isinstance(facts.response_hours, int) and 1 <= facts.response_hours <= 720):
        raise ValidationFailed(MSG_RESPONSE_HOURS, field="response_hours")
    if not (isinstance(facts.resolution_amount, int) and 1 <= facts.resolution_amount <= 365):
        raise ValidationFailed(MSG_RESOLUTION_AMOUNT, field="resolution_amount")
    if facts.resolution_unit not in Category.DeadlineUnit.values:
        raise ValidationFailed(MSG_RESOLUTION_UNIT, field="resolution_unit")
    if (
        facts.resolution_unit == Category.DeadlineUnit.HOURS
        and facts.resolution_amount < facts.response_hours
    ):
        raise ValidationFailed(MSG_RESOLUTION_BEFORE_RESPONSE, field="resolution_amount")
    if not (isinstance(facts.reopen_days, int) and 0 <= facts.reopen_days <= 90):
        raise ValidationFailed(MSG_REOPEN_DAYS, field="reopen_days")
    return {
        "name": name,
        "group": group,
        "description": clean_text(facts.description)[:200],
        "response_hours": facts.response_hours,
        "resolution_amount": facts.resolution_amount,
        "resolution_unit": facts.resolution_unit,
        "reopen_days": facts.reopen_days,
        "is_mediation": bool(facts.is_mediation),
        "is_active": bool(facts.is_active),
        "sort": max(0, min(int(facts.sort or 0), 32767)),
    }


@transaction.atomic
def category_create(*, actor, code: str, facts: CategoryFacts) -> Category:
    """A new category. Its code is also its Open311 service_code, so it never changes."""
    import re

    _require_city(actor)
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{1,39}", code):
        raise ValidationFailed(MSG_CATEGORY_CODE, field="code")
    if Category.objects.filter(code=code).exists():
        raise Conflict(MSG_CATEGORY_CODE_TAKEN, field="code")
    category = Category.objects.create(code=code, **_clean_category(facts))
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=category, changes={"code": code}
    )
    return category


@transaction.atomic
def category_update(*, actor, category: Category, facts: CategoryFacts) -> Category:
    """New deadlines apply to cases received from now on; running cases keep theirs."""
    _require_city(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    values = _clean_category(facts)
    changes = {
        key: {"old": getattr(category, key), "new": value}
        for key, value in values.items()
        if getattr(category, key) != value
    }
    if changes:
        for key, value in values.items():
            setattr(category, key, value)
        category.save(update_fields=list(values))
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=category, changes=changes)
    return category


@transaction.atomic
def handling_unit_set_active(*, actor, unit: HandlingUnit, active: bool) -> HandlingUnit:
    """Stop (or resume) sending cases to a unit. Its routing rules stay but no longer
    match while it is stopped; cases already with it stay with it."""
    require_manage_area(actor, unit.area)
    unit = HandlingUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_active != active:
        unit.is_active = active
        unit.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            target=unit,
            changes={"is_active": {"old": not active, "new": active}},
        )
    return unit


@transaction.atomic
def handler_add_by_username(*, actor, unit: HandlingUnit, username: str) -> HandlerMembership:
    """Add a handler named by user name. The account must hold a role inside the
    actor's territory, so nobody can pull in an account they cannot see."""
    from jiceng.accounts.selectors import assignment_list

    username = (username or "").strip()
    assignment = (
        assignment_list(viewer=actor).filter(user__username__iexact=username).first()
        if username
        else None
    )
    if assignment is None:
        require_manage_area(actor, unit.area)
        raise ValidationFailed(MSG_HANDLER_UNKNOWN, field="username")
    return handler_add(actor=actor, unit=unit, user=assignment.user)


@transaction.atomic
def handler_remove(*, actor, membership: HandlerMembership) -> HandlerMembership:
    require_manage_area(actor, membership.unit.area)
    membership = HandlerMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.REVOKE,
            target=membership.unit,
            changes={"handler": membership.user_id},
        )
    return membership


RULE_AREA_LEVELS = {Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY, Area.Level.GRID}


def check_rule(*, area: Area, unit: HandlingUnit) -> None:
    """A rule may only send an area's cases to a unit that answers for that area."""
    if area.level not in RULE_AREA_LEVELS:
        raise ValidationFailed(MSG_RULE_AREA_LEVEL, field="area")
    if not unit.is_active:
        raise ValidationFailed(MSG_UNIT_INACTIVE, field="unit")
    if not area.path.startswith(unit.area.path):
        raise ValidationFailed(MSG_RULE_UNIT_AREA, field="unit")


@transaction.atomic
def routing_rule_delete(*, actor, rule: RoutingRule) -> None:
    """Remove a rule: the area's cases then follow the next rule up the tree, or wait
    in the street's queue."""
    require_manage_area(actor, rule.area)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        target=rule,
        changes={
            "category": rule.category.code if rule.category_id else None,
            "unit": rule.unit_id,
        },
    )
    rule.delete()


# ---- Open311 keys --------------------------------------------------------------------------


def _key_hash(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, actor, name: str, area: Area | None = None):
    """A new key for another system; returns (key row, the key itself, shown once)."""
    import secrets as _secrets

    from jiceng.appeals.models import Open311Key

    name = clean_text(name)
    if not name:
        raise ValidationFailed(_("请填写名称"), field="name")
    if Open311Key.objects.filter(name=name).exists():
        raise Conflict(_("该名称已有密钥"), field="name")
    if area is not None:
        require_manage_area(actor, area)
    raw = _secrets.token_urlsafe(32)
    key = Open311Key.objects.create(name=name, prefix=raw[:8], key_hash=_key_hash(raw), area=area)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=key, changes={"name": name})
    return key, raw


@transaction.atomic
def open311_key_revoke(*, actor, name: str):
    from jiceng.appeals.models import Open311Key

    key = Open311Key.objects.select_for_update().filter(name=name, revoked_at=None).first()
    if key is None:
        raise ValidationFailed(_("没有该名称的有效密钥"), field="name")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    # Other processes refuse it at their next filing (the insert checks the key); this
    # one forgets its cached keys now, so every answer here is already a 403. (Were the
    # revocation rolled back, the key would only be read again.)
    from jiceng.appeals import intake

    intake.forget_cached()
    audit_record(actor=actor, action=AuditEntry.Action.REVOKE, target=key, changes={"name": name})
    return key


def open311_key_check(raw: str | None):
    """The active key matching `raw`, or None. Compared by hash, so the stored value
    never needs to be the key."""
    from jiceng.appeals.models import Open311Key

    if not raw:
        return None
    key = Open311Key.objects.filter(key_hash=_key_hash(raw), revoked_at=None).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


# ---- bulk: handling units, routing rules, recorded cases -------------------------------------


MSG_UNIT_NAME_TAKEN = _("该区域已有同名承办单位")


@dataclass
class HandlingUnitRow:
    name: str
    kind: str
    area: Area


def handling_unit_bulk_create(
    *, actor, rows: Sequence[HandlingUnitRow], batch_size: int = 2000
) -> list[HandlingUnit]:
    """Create many handling units with the checks of `handling_unit_create` (a whole
    city's residents' committees, say); one audit entry. A name taken in its area raises
    Conflict and nothing is written."""
    checked: set[int] = set()
    units: list[HandlingUnit] = []
    seen: set[tuple[int, str]] = set()
    for row in rows:
        if row.area.pk not in checked:
            require_manage_area(actor, row.area)
            checked.add(row.area.pk)
        name = clean_text(row.name)[:80]
        if not name:
            raise ValidationFailed(_("请填写名称"), field="name")
        if row.kind not in HandlingUnit.Kind.values:
            raise ValidationFailed(_("类型无效"), field="kind")
        if (row.area.pk, name) in seen:
            raise Conflict(MSG_UNIT_NAME_TAKEN, field="name")
        seen.add((row.area.pk, name))
        units.append(HandlingUnit(name=name, kind=row.kind, area=row.area))
    if not units:
        return []
    try:
        with transaction.atomic():
            HandlingUnit.objects.bulk_create(units, batch_size=batch_size)
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="appeals.handlingunit",
                target_label=f"{len(units)} handling units",
                changes={"count": len(units)},
            )
    except IntegrityError:
        raise Conflict(MSG_UNIT_NAME_TAKEN, field="name") from None
    return units


@dataclass
class RoutingRuleRow:
    area: Area
    unit: HandlingUnit
    category: Category | None = None


def routing_rule_bulk_set(*, actor, rows: Sequence[RoutingRuleRow], batch_size: int = 2000) -> int:
    """Create or replace many rules at once, with the checks of `routing_rule_set`: the
    rule for each (category, area) pair is the last row naming it. One audit entry.
    Returns the number of rules created or changed."""
    checked: set[int] = set()
    wanted: dict[tuple[int | None, int], RoutingRuleRow] = {}
    for row in rows:
        if row.area.pk not in checked:
            require_manage_area(actor, row.area)
            checked.add(row.area.pk)
        if not row.unit.is_active:
            raise ValidationFailed(MSG_UNIT_INACTIVE, field="unit")
        wanted[(row.category.pk if row.category else None, row.area.pk)] = row
    if not wanted:
        return 0
    with transaction.atomic():
        area_ids = sorted({area_id for _category, area_id in wanted})
        existing: dict[tuple[int | None, int], RoutingRule] = {}
        for start in range(0, len(area_ids), 2000):
            for rule in RoutingRule.objects.select_for_update().filter(
                area_id__in=area_ids[start : start + 2000]
            ):
                existing[(rule.category_id, rule.area_id)] = rule
        changed, created = [], []
        for key, row in wanted.items():
            rule = existing.get(key)
            if rule is None:
                created.append(RoutingRule(category=row.category, area=row.area, unit=row.unit))
            elif rule.unit_id != row.unit.pk:
                rule.unit = row.unit
                changed.append(rule)
        RoutingRule.objects.bulk_create(created, batch_size=batch_size)
        RoutingRule.objects.bulk_update(changed, ["unit"], batch_size=batch_size)
        count = len(created) + len(changed)
        if count:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="appeals.routingrule",
                target_label=f"{count} routing rules",
                changes={"created": len(created), "changed": len(changed)},
            )
    return count


@dataclass
class CaseStep:
    """One past step of a case, in the terms of the live services: an action of the
    transition table (dispatch, accept, return, start, reply, rate, close, reopen) or
    summon, summons_report, summons_act, mediation."""

    action: str
    at: datetime.datetime
    unit: HandlingUnit | None = None  # dispatch; summons_report and summons_act
    units: Sequence[HandlingUnit] = ()  # summon
    note: str = ""  # reason, reply, comment, what a department did, mediation agreement
    resolved: bool | None = None  # rate
    satisfaction: str = ""  # rate
    parties: Sequence[str] = ()  # mediation
    outcome: str = ""  # mediation
    mediator: str = ""  # mediation
    actor_label: str = ""  # who did it, as the timeline shows it


@dataclass
class CaseRecord:
    """A case received at `received_at` and handled through `steps`, in order."""

    intake: Intake
    received_at: datetime.datetime
    steps: Sequence[CaseStep] = ()


MSG_RECORD_TIME = _("办理记录的时间应按先后顺序，且不晚于现在")
MSG_RECORD_ACTION = _("未知的办理动作")
MSG_RECORD_UNIT = _("请指明承办单位")
MSG_RECORD_NO_SUMMONS = _("该部门未被吹哨")
MSG_RECORD_ROW = _("第 {row} 件：{message}")
RECORD_EXTRA_ACTIONS = {"summon", "summons_report", "summons_act", "mediation"}


class _CaseReplay:
    """Replays one recorded case through the transition table and the live services'
    rules, building the rows they would have written: the case, its events (with the
    deadline check's "overdue" marks and one escalation where a clock ran out before the
    next step), summons with their targets, the mediation record."""

    def __init__(self, appeal: Appeal, *, now: datetime.datetime) -> None:
        self.appeal = appeal
        self.now = now
        self.events: list[dict] = []
        self.summonses: list[tuple[Summons, list[SummonsTarget]]] = []
        self.mediation: Mediation | None = None
        self.last = appeal.received_at

    def event(self, action, at, *, from_state="", note="", public=False, data=None, label=""):
        self.events.append(
            {
                "action": action,
                "from_state": from_state,
                "to_state": self.appeal.state,
                "at": at,
                "actor_label": label or "system",
                "note": note,
                "is_public": public,
                "data": data or {},
            }
        )

    def move(self, action: str, at, *, note="", public=False, data=None, label="", **fields):
        appeal = self.appeal
        transition = transition_for(appeal, action)
        before = appeal.state
        appeal.state = transition.target
        for key, value in fields.items():
            setattr(appeal, key, value)
        self.event(action, at, from_state=before, note=note, public=public, data=data, label=label)

    def overdue_until(self, moment: datetime.datetime) -> None:
        """What `check_deadlines` would have marked before `moment`."""
        from jiceng.appeals.deadlines import (
            AWAITING_REPLY,
            AWAITING_RESPONSE,
            escalation_target,
        )

        appeal = self.appeal
        for clock, due, waiting in (
            ("response", appeal.response_due_at, appeal.state in AWAITING_RESPONSE),
            ("resolution", appeal.resolution_due_at, appeal.state in AWAITING_REPLY),
        ):
            if clock == "response" and appeal.responded_at is not None:
                continue
            if not waiting or getattr(appeal, f"{clock}_overdue") or due >= moment:
                continue
            setattr(appeal, f"{clock}_overdue", True)
            data = {"clock": clock}
            if appeal.escalated_to_id is None:
                target = escalation_target(appeal)
                if target is not None:
                    appeal.escalated_to = target
                    data["escalated_to"] = target.pk
            self.event("overdue", due, from_state=appeal.state, data=data)

    def step(self, step: CaseStep) -> None:
        appeal, at, label = self.appeal, step.at, step.actor_label
        if at < self.last or at > self.now:
            raise ValidationFailed(MSG_RECORD_TIME, field="at")
        self.overdue_until(at)
        self.last = at
        action = step.action
        if action == "dispatch":
            if step.unit is None:
                raise ValidationFailed(MSG_RECORD_UNIT, field="unit")
            _check_unit_for(appeal, step.unit)
            note = step.note or str(_("已派至{unit}")).format(unit=step.unit.name)
            self.move(
                "dispatch",
                at,
                note=note,
                public=True,
                data={"unit": step.unit.pk},
                label=label,
                unit=step.unit,
                unroutable_reason="",
            )
        elif action == "accept":
            fields = {"responded_at": at} if appeal.responded_at is None else {}
            note = str(_("承办单位已签收"))
            self.move("accept", at, note=note, public=True, label=label, **fields)
        elif action == "return":
            reason = (step.note or "").strip()
            if not reason:
                raise ValidationFailed(MSG_REASON, field="reason")
            unit = appeal.unit
            self.move(
                "return",
                at,
                note=reason[:500],
                data={"unit": unit.pk if unit else None},
                label=label,
                unit=None,
                unroutable_reason=str(_("退单：{reason}")).format(reason=reason[:150]),
            )
        elif action == "start":
            self.move("start", at, note=step.note[:500], label=label)
        elif action == "reply":
            reply = clean_text(step.note, multiline=True)
            if not reply:
                raise ValidationFailed(MSG_REPLY, field="reply")
            if len(reply) > DESCRIPTION_MAX:
                raise ValidationFailed(MSG_DESCRIPTION_LONG, field="reply")
            self.move(
                "reply",
                at,
                note=reply,
                public=True,
                label=label,
                replied_at=at,
                public_reply=reply,
            )
        elif action == "rate":
            if step.satisfaction not in Appeal.Satisfaction.values:
                raise ValidationFailed(MSG_SATISFACTION, field="satisfaction")
            self.move(
                "rate",
                at,
                note=clean_text(step.note, multiline=True)[:500],
                public=True,
                resolved=bool(step.resolved),
                satisfaction=step.satisfaction,
                rated_at=at,
            )
            if step.satisfaction != Appeal.Satisfaction.UNSATISFIED:
                self.move("close", at, public=True, closed_at=at)
        elif action == "close":
            self.move("close", at, note=step.note, public=True, closed_at=at)
        elif action == "reopen":
            self.reopen(step)
        elif action == "summon":
            self.summon(step)
        elif action in ("summons_report", "summons_act"):
            self.answer(step)
        elif action == "mediation":
            self.mediate(step)
        else:
            raise ValidationFailed(MSG_RECORD_ACTION, field="action")

    def reopen(self, step: CaseStep) -> None:
        appeal, at = self.appeal, step.at
        reason = (step.note or "").strip()
        if not reason:
            raise ValidationFailed(MSG_REASON, field="reason")
        if appeal.satisfaction and appeal.satisfaction != Appeal.Satisfaction.UNSATISFIED:
            raise Conflict(MSG_REOPEN_SATISFIED, field="state")
        limit = (appeal.replied_at or appeal.received_at) + datetime.timedelta(
            days=appeal.category.reopen_days
        )
        if at > limit:
            raise Conflict(MSG_REOPEN_LATE, field="state")
        response_due, resolution_due = deadlines(appeal.category, at)
        self.move(
            "reopen",
            at,
            note=reason[:500],
            public=True,
            label=step.actor_label,
            reopen_count=appeal.reopen_count + 1,
            closed_at=None,
            unroutable_reason=str(_("重办：{reason}")).format(reason=reason[:150]),
            response_due_at=response_due,
            resolution_due_at=resolution_due,
            response_overdue=False,
            resolution_overdue=False,
        )

    def summon(self, step: CaseStep) -> None:
        appeal, at = self.appeal, step.at
        if not appeal.is_open:
            raise Conflict(MSG_CASE_CLOSED, field="state")
        reason = (step.note or "").strip()
        if not reason:
            raise ValidationFailed(MSG_REASON, field="reason")
        units = list({u.pk: u for u in step.units}.values())
        if not units:
            raise ValidationFailed(MSG_SUMMONS_UNITS, field="units")
        for unit in units:
            if unit.kind != HandlingUnit.Kind.DEPARTMENT:
                raise ValidationFailed(MSG_SUMMONS_KIND, field="units")
            _check_unit_for(appeal, unit)
        summons = Summons(
            appeal=appeal,
            street=appeal.street,
            reason=reason[:300],
            created_at=at,
            created_by=None,
        )
        targets = [
            SummonsTarget(
                summons=summons,
                unit=unit,
                report_due_at=add_hours(at, 24),
                act_due_at=add_working_days(at, 3),
            )
            for unit in units
        ]
        self.summonses.append((summons, targets))
        self.event(
            "summon",
            at,
            from_state=appeal.state,
            note=reason,
            label=step.actor_label,
            data={"summons": summons, "units": [u.pk for u in units]},
        )

    def answer(self, step: CaseStep) -> None:
        """A summoned department reports (报到) or records what it did."""
        target = next(
            (
                t
                for _summons, targets in reversed(self.summonses)
                for t in targets
                if step.unit is not None and t.unit_id == step.unit.pk
            ),
            None,
        )
        if target is None:
            raise ValidationFailed(MSG_RECORD_NO_SUMMONS, field="unit")
        if step.action == "summons_report":
            if target.reported_at is not None:
                raise Conflict(MSG_SUMMONS_DONE, field="reported_at")
            target.reported_at = step.at
            note = ""
        else:
            if target.reported_at is None:
                raise Conflict(MSG_SUMMONS_NOT_REPORTED, field="reported_at")
            note = (step.note or "").strip()
            if not note:
                raise ValidationFailed(MSG_REPLY, field="note")
            target.acted_at, target.action_note = step.at, note[:2000]
        self.event(
            step.action,
            step.at,
            from_state=self.appeal.state,
            note=note,
            label=step.actor_label,
            data={"target": target, "unit": target.unit_id},
        )

    def mediate(self, step: CaseStep) -> None:
        appeal = self.appeal
        if not appeal.category.is_mediation:
            raise ValidationFailed(MSG_NOT_MEDIATION, field="category")
        parties = [clean_name(p) for p in step.parties if clean_name(p)]
        if len(parties) < 2:
            raise ValidationFailed(MSG_PARTIES, field="parties")
        if step.outcome and step.outcome not in Mediation.Outcome.values:
            raise ValidationFailed(MSG_OUTCOME, field="outcome")
        self.mediation = Mediation(
            appeal=appeal,
            parties=parties[:10],
            outcome=step.outcome,
            agreement=(step.note or "").strip()[:2000],
            mediator=(step.mediator or "").strip()[:50],
            mediated_on=timezone.localtime(step.at).date(),
        )
        self.event(
            "mediation",
            step.at,
            from_state=appeal.state,
            label=step.actor_label,
            data={"outcome": step.outcome},
        )


def _resolve_ids(data: dict) -> dict:
    """Event data may name rows written after it was built (summons, targets)."""
    from django.db.models import Model

    return {key: value.pk if isinstance(value, Model) else value for key, value in data.items()}


def appeal_bulk_create(*, actor, cases: Sequence[CaseRecord], batch_size: int = 2000) -> int:
    """Record many cases that were received and handled in the past, each with its steps
    and their times: the history a deployment brings over from the hotline system it
    replaces, and the demo's year of cases.

    Each case passes the checks of `appeal_intake` and each step those of its live
    service, replayed through the transition table at the step's time: deadlines come
    from the category and the time of receipt (or of reopening), and a clock that ran out
    before the step that stopped it is marked overdue and escalated once, as
    `check_deadlines` would have done at the time. Clocks still running are left to
    `check_deadlines`. The monthly counters are added in the same transaction.

    All or nothing: a bad case raises the error its service would, with the case's place
    in `cases` (from 1) in the message. A case whose (client, idempotency key) is on file
    already is skipped, so a migration can be run again. One audit entry for the call;
    contact phones are encrypted and never enter it. Returns the number of cases written.
    """
    from jiceng.core.bulk import insert_rows

    now = timezone.now()
    keys = set()
    for number, case in enumerate(cases, start=1):
        try:
            client, key = intake_keys(case.intake)
        except ValidationFailed as error:
            message = str(MSG_RECORD_ROW).format(row=number, message=error.message)
            raise ValidationFailed(message, field=error.field) from None
        if key:
            keys.add((client, key))
    on_file: set[tuple[str, str]] = set()
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        on_file.update(
            Appeal.objects.filter(
                client__in={c for c, _k in chunk}, idempotency_key__in={k for _c, k in chunk}
            ).values_list("client", "idempotency_key")
        )
    codes: set[str] = set()
    for case in cases:
        parts = [p for p in (case.intake.area.path if case.intake.area else "").split("/") if p]
        codes.update(parts[2:4])
    places = {a.code: a for a in Area.objects.filter(code__in=codes).select_related("parent")}
    checked_streets: set[int] = set()
    replays: list[_CaseReplay] = []
    for number, case in enumerate(cases, start=1):
        try:
            replay = _record_case(case, now=now, places=places, on_file=on_file)
            if replay is None:
                continue
            street = replay.appeal.street
            if actor is not None and street.pk not in checked_streets:
                require_manage_area(actor, street)
                checked_streets.add(street.pk)
            for step in case.steps:
                replay.step(step)
        except (ValidationFailed, Conflict) as error:
            message = str(MSG_RECORD_ROW).format(row=number, message=error.message)
            raise type(error)(message, field=error.field, code=error.code) from None
        replays.append(replay)
    if not replays:
        return 0
    with transaction.atomic():
        events = 0
        for start in range(0, len(replays), batch_size):
            chunk = replays[start : start + batch_size]
            Appeal.objects.bulk_create([r.appeal for r in chunk], batch_size=batch_size)
            summonses = [(s, targets) for r in chunk for s, targets in r.summonses]
            for summons, _targets in summonses:
                summons.appeal_id = summons.appeal.pk
            Summons.objects.bulk_create([s for s, _t in summonses], batch_size=batch_size)
            for summons, targets in summonses:
                for target in targets:
                    target.summons_id = summons.pk
            SummonsTarget.objects.bulk_create(
                [t for _s, targets in summonses for t in targets], batch_size=batch_size
            )
            mediations = [r.mediation for r in chunk if r.mediation is not None]
            for mediation in mediations:
                mediation.appeal_id = mediation.appeal.pk
            Mediation.objects.bulk_create(mediations, batch_size=batch_size)
            rows = [
                (
                    r.appeal.pk,
                    e["action"],
                    e["from_state"],
                    e["to_state"],
                    e["at"],
                    None,
                    e["actor_label"],
                    e["note"],
                    e["is_public"],
                    _resolve_ids(e["data"]),
                )
                for r in chunk
                for e in r.events
            ]
            insert_rows(
                AppealEvent,
                [
                    "appeal_id",
                    "action",
                    "from_state",
                    "to_state",
                    "at",
                    "actor_id",
                    "actor_label",
                    "note",
                    "is_public",
                    "data",
                ],
                rows,
            )
            events += len(rows)
        totals: rollup.Totals = {}
        for replay in replays:
            rollup.tally(totals, replay.appeal)
        rollup.add_many(totals)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_CREATE,
            target_type="appeals.appeal",
            target_label=f"{len(replays)} appeals",
            changes={"count": len(replays), "events": events},
        )
    return len(replays)


def _record_case(case: CaseRecord, *, now, places, on_file) -> "_CaseReplay | None":
    """The case as `appeal_intake` would have received it at `case.received_at`."""
    intake = case.intake
    client, key = intake_keys(intake)
    if key:
        if (client, key) in on_file:
            return None
        on_file.add((client, key))
    texts = intake_texts(intake)  # the same checks as every live intake
    category = intake.category
    if case.received_at > now:
        raise ValidationFailed(MSG_RECORD_TIME, field="received_at")
    parts = [p for p in intake.area.path.split("/") if p]
    street = places[parts[2]]
    community = intake.area if intake.area.level == Area.Level.COMMUNITY else places[parts[3]]
    response_due, resolution_due = deadlines(category, case.received_at)
    appeal = Appeal(
        tracking_code=new_tracking_code(),
        channel=intake.channel,
        category=category,
        area=intake.area,
        street=street,
        community=community,
        latitude=intake.latitude,
        longitude=intake.longitude,
        **texts,
        received_at=case.received_at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        client=client,
        idempotency_key=key,
        created_by=None,
    )
    replay = _CaseReplay(appeal, now=now)
    replay.event("receive", case.received_at, public=True, note=str(_("诉求已受理")))
    return replay

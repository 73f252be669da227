"""Writes to big party committees (大党委) and their part-time members (兼职委员).

Services are keyword-only, take the acting user (None for the system), check access,
run in one transaction and leave an audit entry."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from jiceng.core.inputs import max_length_of
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import scope_for
from jiceng.core.types import Actor
from jiceng.core.validators import clean_name, clean_text
from jiceng.orgs.errors import OrgErrorCode as Code
from jiceng.orgs.models import BigCommittee, PartTimeMember, PartyOrg, Unit

MSG_COMMITTEE_LEVEL = _("大党委只能设在街道或社区")
MSG_COMMITTEE_EXISTS = _("该区域已有大党委")
MSG_PERSON_NAME = _("请填写姓名")
MSG_PERSON_NAME_LONG = _("姓名不能超过50个字")
MSG_COMMITTEE_NAME_LONG = _("名称不能超过120个字")
MSG_COMMITTEE_ORG_CLOSED = _("依托党组织已撤销")
MSG_SOURCE = _("来源无效")
MSG_SOURCE_UNIT = _("来自驻区单位的兼职委员请选择所在单位")
MSG_MEMBER_ENDED = _("该兼职委员已离任")
MSG_MEMBER_END_BEFORE_START = _("离任日期不能早于任职日期")
MSG_POSITION_LONG = _("单位职务不能超过60个字")


def _require_visible(actor: Actor, obj) -> None:
    """An object chosen by id from a form must be one the actor can see: else a committee
    could tie itself to, and later show, another territory's org or unit."""
    if actor is not None and not scope_for(actor).contains(obj):
        raise NotFound()


@transaction.atomic
def big_committee_create(
    *, actor: Actor, area: Area, org: PartyOrg, name: str = ""
) -> BigCommittee:
    require_manage_area(actor, area)
    _require_visible(actor, org)
    if area.level not in (Area.Level.STREET, Area.Level.COMMUNITY):
        raise ValidationFailed(MSG_COMMITTEE_LEVEL, field="area", code=Code.COMMITTEE_LEVEL)
    if not org.is_open:
        raise ValidationFailed(
            MSG_COMMITTEE_ORG_CLOSED, field="org", code=Code.COMMITTEE_ORG_CLOSED
        )
    name = clean_text(name)
    if len(name) > max_length_of(BigCommittee, "name"):
        raise ValidationFailed(MSG_COMMITTEE_NAME_LONG, field="name", code=Code.COMMITTEE_NAME_LONG)
    if BigCommittee.objects.filter(area=area).exists():
        raise Conflict(MSG_COMMITTEE_EXISTS, field="area", code=Code.COMMITTEE_EXISTS)
    committee = BigCommittee.objects.create(area=area, org=org, name=name or f"{area.name}大党委")
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=committee,
        changes={"area": area.pk, "org": org.pk},
    )
    return committee


@transaction.atomic
def part_time_member_add(
    *,
    actor: Actor,
    committee: BigCommittee,
    name: str,
    source: str,
    unit: Unit | None = None,
    position: str = "",
    started_on: datetime.date | None = None,
) -> PartTimeMember:
    """Add a part-time member (兼职委员) to a big committee: a leader of a unit in the
    territory, the police station, an owners' committee or a property company."""
    require_manage_area(actor, committee.area)
    name, position = clean_name(name), clean_text(position)
    if not name:
        raise ValidationFailed(MSG_PERSON_NAME, field="name", code=Code.PERSON_NAME)
    if len(name) > max_length_of(PartTimeMember, "name"):
        raise ValidationFailed(MSG_PERSON_NAME_LONG, field="name", code=Code.PERSON_NAME_LONG)
    if source not in PartTimeMember.Source.values:
        raise ValidationFailed(MSG_SOURCE, field="source", code=Code.BAD_SOURCE)
    if source == PartTimeMember.Source.UNIT and unit is None:
        raise ValidationFailed(MSG_SOURCE_UNIT, field="unit", code=Code.SOURCE_UNIT)
    if len(position) > max_length_of(PartTimeMember, "position"):
        raise ValidationFailed(MSG_POSITION_LONG, field="position", code=Code.POSITION_LONG)
    if unit is not None:
        _require_visible(actor, unit)
    member = PartTimeMember.objects.create(
        committee=committee,
        name=name,
        source=source,
        unit=unit,
        position=position,
        started_on=started_on or timezone.localdate(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=member,
        changes={"committee": committee.pk, "source": source, "unit": unit.pk if unit else None},
    )
    return member


@transaction.atomic
def part_time_member_end(
    *, actor: Actor, member: PartTimeMember, ended_on: datetime.date | None = None
) -> PartTimeMember:
    """A part-time member leaves the big committee; the row stays as its history."""
    require_manage_area(actor, member.committee.area)
    member = PartTimeMember.objects.select_for_update().get(pk=member.pk)
    if member.ended_on is not None:
        raise Conflict(MSG_MEMBER_ENDED, code=Code.MEMBER_ENDED)
    ended_on = ended_on or timezone.localdate()
    if ended_on < member.started_on:
        raise ValidationFailed(
            MSG_MEMBER_END_BEFORE_START, field="ended_on", code=Code.MEMBER_END_BEFORE_START
        )
    member.ended_on = ended_on
    member.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=member,
        changes={"ended_on": str(ended_on)},
    )
    return member

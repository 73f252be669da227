"""Writes to resident units (驻区单位): register, edit, move, coverage.

Services are keyword-only, take the acting user (None for the system), check access,
run in one transaction and leave an audit entry."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.inputs import max_length_of
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
from jiceng.core.validators import validate_uscc
from jiceng.orgs import rollup
from jiceng.orgs.access import require_manage_org, require_manage_unit
from jiceng.orgs.errors import OrgErrorCode as Code
from jiceng.orgs.models import PartyOrg, Unit

MSG_UNIT_NAME = _("请填写单位名称")
MSG_UNIT_KIND = _("单位类别无效")
MSG_UNIT_USCC_TAKEN = _("该统一社会信用代码已登记")
MSG_UNIT_AREA_LEVEL = _("单位所在区域应为社区、网格或楼栋")
MSG_UNIT_COUNTS = _("正式党员数不能超过从业人员数")
MSG_NEGATIVE = _("数量不能为负数")
MSG_COVER_ORG = _("只有联合党组织可以覆盖其他单位")
MSG_COVER_HAS_OWN = _("该单位已有本单位党组织，无需联合覆盖")
MSG_OWN_ORG_TAKEN = _("该党组织已是其他单位的本单位党组织")
MSG_COVER_TERRITORY = _("联合党组织应在该单位所在街道范围内")
MSG_UNIT_NAME_LONG = _("单位名称不能超过150个字")
MSG_UNIT_ADDRESS_LONG = _("地址不能超过200个字")
MSG_UNIT_MOVE_SAME = _("请选择新的所在区域")
MSG_UNIT_CLOSED = _("该单位已注销")

UNIT_AREA_LEVELS = {"street", "community", "grid", "building"}
UNIT_FIELDS = (
    "name",
    "uscc",
    "kind",
    "area",
    "address",
    "employees",
    "formal_members",
    "own_org",
    "covering_org",
    "closed_on",
)


def _check_unit(unit: Unit) -> None:
    if not unit.name.strip():
        raise ValidationFailed(MSG_UNIT_NAME, field="name", code=Code.UNIT_NAME)
    if len(unit.name) > max_length_of(Unit, "name"):
        raise ValidationFailed(MSG_UNIT_NAME_LONG, field="name", code=Code.UNIT_NAME_LONG)
    if len(unit.address) > max_length_of(Unit, "address"):
        raise ValidationFailed(MSG_UNIT_ADDRESS_LONG, field="address", code=Code.UNIT_ADDRESS_LONG)
    if unit.kind not in Unit.Kind.values:
        raise ValidationFailed(MSG_UNIT_KIND, field="kind", code=Code.UNIT_KIND)
    if unit.area.level not in UNIT_AREA_LEVELS:
        raise ValidationFailed(MSG_UNIT_AREA_LEVEL, field="area", code=Code.UNIT_AREA_LEVEL)
    if unit.employees < 0:
        raise ValidationFailed(MSG_NEGATIVE, field="employees", code=Code.NEGATIVE_COUNT)
    if unit.formal_members < 0:
        raise ValidationFailed(MSG_NEGATIVE, field="formal_members", code=Code.NEGATIVE_COUNT)
    if unit.formal_members > unit.employees:
        raise ValidationFailed(MSG_UNIT_COUNTS, field="formal_members", code=Code.UNIT_COUNTS)


def _check_coverage(unit: Unit) -> None:
    if unit.own_org_id and unit.covering_org_id:
        raise ValidationFailed(MSG_COVER_HAS_OWN, field="covering_org", code=Code.COVER_HAS_OWN)
    if unit.own_org_id:
        taken = Unit.objects.filter(own_org_id=unit.own_org_id).exclude(pk=unit.pk).exists()
        if taken:
            raise Conflict(MSG_OWN_ORG_TAKEN, field="own_org", code=Code.OWN_ORG_TAKEN)
    org = unit.covering_org
    if org is not None:
        if not org.can_cover_units():
            raise ValidationFailed(MSG_COVER_ORG, field="covering_org", code=Code.COVER_ORG)
        street_path = "/".join(unit.area.path.split("/")[:3]) + "/"
        if not org.area.path.startswith(street_path) and not street_path.startswith(org.area.path):
            raise ValidationFailed(
                MSG_COVER_TERRITORY, field="covering_org", code=Code.COVER_TERRITORY
            )


@transaction.atomic
def unit_create(
    *,
    actor: Actor,
    name: str,
    uscc: str,
    kind: str,
    area: Area,
    address: str = "",
    employees: int = 0,
    formal_members: int = 0,
    own_org: PartyOrg | None = None,
    covering_org: PartyOrg | None = None,
) -> Unit:
    """Register a unit. Its registration time drives the "new and uncovered" flag."""
    require_manage_area(actor, area)
    code = validate_uscc(uscc)
    if Unit.objects.filter(uscc=code).exists():
        raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc", code=Code.UNIT_USCC_TAKEN)
    unit = Unit(
        name=name.strip(),
        uscc=code,
        kind=kind,
        area=area,
        address=address.strip(),
        employees=employees,
        formal_members=formal_members,
        own_org=own_org,
        covering_org=covering_org,
        registered_at=timezone.now(),
    )
    _check_unit(unit)
    _check_coverage(unit)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc", code=Code.UNIT_USCC_TAKEN) from None
    rollup.change(None, rollup.unit_contribution(unit))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=unit,
        changes=snapshot(unit, UNIT_FIELDS),
    )
    return unit


@transaction.atomic
def unit_update(*, actor: Actor, unit: Unit, **fields) -> Unit:
    """Change a unit's registered facts: name, kind, area, address, counts."""
    allowed = {"name", "kind", "area", "address", "employees", "formal_members"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(
            _("不能修改该字段"), field=sorted(unknown)[0], code=Code.FIELD_LOCKED
        )
    require_manage_unit(actor, unit)
    if "area" in fields and fields["area"].pk != unit.area_id:
        require_manage_area(actor, fields["area"])
    before = snapshot(unit, UNIT_FIELDS)
    counted = rollup.unit_contribution(unit)
    for key, value in fields.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    _check_unit(unit)
    if "area" in fields:
        # A joint org covers units of its own street only, wherever the unit goes.
        _check_coverage(unit)
    unit.save()
    rollup.change(counted, rollup.unit_contribution(unit))
    changes = changes_between(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=unit, changes=changes)
    return unit


@transaction.atomic
def unit_set_coverage(
    *,
    actor: Actor,
    unit: Unit,
    own_org: PartyOrg | None = None,
    covering_org: PartyOrg | None = None,
) -> Unit:
    """Record how party organization reaches the unit: its own org, a joint org, or none."""
    require_manage_unit(actor, unit)
    for org in (own_org, covering_org):
        if org is not None:
            require_manage_org(actor, org)
    before = snapshot(unit, UNIT_FIELDS)
    counted = rollup.unit_contribution(unit)
    unit.own_org, unit.covering_org = own_org, covering_org
    _check_coverage(unit)
    unit.save(update_fields=["own_org", "covering_org"])
    rollup.change(counted, rollup.unit_contribution(unit))
    changes = changes_between(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=unit, changes=changes)
    return unit


@transaction.atomic
def unit_move(*, actor: Actor, unit: Unit, area: Area) -> Unit:
    """Record that a unit moved to another place in the territory (块). A joint org
    that covered it must still be in the new street, else the move is refused on the
    area: release or change the cover first."""
    require_manage_unit(actor, unit)
    require_manage_area(actor, area)
    if unit.closed_on is not None:
        raise Conflict(MSG_UNIT_CLOSED, code=Code.UNIT_CLOSED)
    if area.pk == unit.area_id:
        raise ValidationFailed(MSG_UNIT_MOVE_SAME, field="area", code=Code.UNIT_MOVE_SAME)
    old_area_id = unit.area_id
    counted = rollup.unit_contribution(unit)
    unit.area = area
    _check_unit(unit)
    try:
        _check_coverage(unit)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="area", code=error.code) from None
    unit.save(update_fields=["area"])
    rollup.change(counted, rollup.unit_contribution(unit))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.MOVE,
        target=unit,
        changes={"area": {"old": old_area_id, "new": area.pk}},
    )
    return unit


# ---- bulk writes for the demo and imports ----------------------------------------------------


@dataclass
class UnitRow:
    name: str
    uscc: str
    kind: str
    area: Area
    address: str = ""
    employees: int = 0
    formal_members: int = 0
    own_org: PartyOrg | None = None
    covering_org: PartyOrg | None = None
    registered_at: datetime.datetime | None = None


def check_unit_row(row: UnitRow) -> None:
    """The checks `unit_create` makes on one row's own facts (not the database's), so an
    import can report each row before writing any."""
    unit = Unit(
        name=row.name,
        uscc=validate_uscc(row.uscc),
        kind=row.kind,
        area=row.area,
        address=row.address,
        employees=row.employees,
        formal_members=row.formal_members,
    )
    _check_unit(unit)


def unit_bulk_create(*, actor: Actor, rows: Sequence[UnitRow], batch_size: int = 2000) -> int:
    """Create many units with the same checks as `unit_create`; all or nothing."""
    checked_areas: set[int] = set()
    now = timezone.now()
    seen: set[str] = set()
    units = []
    with transaction.atomic():
        for row in rows:
            if row.area.pk not in checked_areas:
                require_manage_area(actor, row.area)
                checked_areas.add(row.area.pk)
            code = validate_uscc(row.uscc)
            if code in seen:
                raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc", code=Code.UNIT_USCC_TAKEN)
            seen.add(code)
            unit = Unit(
                name=row.name,
                uscc=code,
                kind=row.kind,
                area=row.area,
                address=row.address,
                employees=row.employees,
                formal_members=row.formal_members,
                own_org=row.own_org,
                covering_org=row.covering_org,
                registered_at=row.registered_at or now,
            )
            _check_unit(unit)
            if unit.own_org_id and unit.covering_org_id:
                raise ValidationFailed(
                    MSG_COVER_HAS_OWN, field="covering_org", code=Code.COVER_HAS_OWN
                )
            units.append(unit)
        codes = sorted(seen)
        for start in range(0, len(codes), 5000):
            if Unit.objects.filter(uscc__in=codes[start : start + 5000]).exists():
                raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc", code=Code.UNIT_USCC_TAKEN)
        Unit.objects.bulk_create(units, batch_size=batch_size)
        rollup.add_contributions(rollup.unit_contribution(unit) for unit in units)
        if units:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="orgs.unit",
                target_label=f"{len(units)} units",
                changes={"count": len(units)},
            )
    return len(units)

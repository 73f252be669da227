"""Every write to organizations, units, grids and big committees.

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
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.core.scope import scope_for
from jiceng.core.validators import validate_uscc
from jiceng.orgs.access import require_manage_org, require_manage_unit
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit

MSG_ORG_NAME = _("请填写组织名称")
MSG_ORG_KIND = _("组织类别无效")
MSG_ORG_DOMAIN = _("所属领域无效")
MSG_ORG_FORM = _("组建形式无效")
MSG_ORG_PARENT_CLOSED = _("上级党组织已撤销")
MSG_ORG_GROUP_PARENT = _("党小组只能设在党支部之下")
MSG_ORG_GROUP_CHILD = _("党小组之下不能再设组织")
MSG_ORG_AREA_LEVEL = _("党组织所在区域应为街道、社区或网格")
MSG_ORG_ALREADY_CLOSED = _("该党组织已撤销")
MSG_ORG_HAS_OPEN_CHILDREN = _("该党组织还有未撤销的下级组织，请先处理")
MSG_CLOSE_REASON = _("请填写撤销原因")
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
MSG_GRID_LEVEL = _("只能在网格中设置网格长和网格员")
MSG_GRID_LEADER_TAKEN = _("该网格已有网格长")
MSG_COMMITTEE_LEVEL = _("大党委只能设在街道或社区")
MSG_COMMITTEE_EXISTS = _("该区域已有大党委")
MSG_PERSON_NAME = _("请填写姓名")

ORG_AREA_LEVELS = {"district", "street", "community", "grid"}
UNIT_AREA_LEVELS = {"street", "community", "grid", "building"}
ORG_FIELDS = (
    "name",
    "kind",
    "domain",
    "form",
    "parent",
    "area",
    "secretary_name",
    "established_on",
    "closed_on",
    "closed_reason",
)
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


# ---- party organizations ---------------------------------------------------------------


def _check_org(
    *, name: str, kind: str, domain: str, form: str, parent: PartyOrg | None, area: Area
) -> None:
    if not name.strip():
        raise ValidationFailed(MSG_ORG_NAME, field="name")
    if kind not in PartyOrg.Kind.values:
        raise ValidationFailed(MSG_ORG_KIND, field="kind")
    if domain not in PartyOrg.Domain.values:
        raise ValidationFailed(MSG_ORG_DOMAIN, field="domain")
    if form not in PartyOrg.Form.values:
        raise ValidationFailed(MSG_ORG_FORM, field="form")
    if area.level not in ORG_AREA_LEVELS:
        raise ValidationFailed(MSG_ORG_AREA_LEVEL, field="area")
    if parent is not None:
        if not parent.is_open:
            raise ValidationFailed(MSG_ORG_PARENT_CLOSED, field="parent")
        if parent.kind == PartyOrg.Kind.GROUP:
            raise ValidationFailed(MSG_ORG_GROUP_CHILD, field="parent")
    if kind == PartyOrg.Kind.GROUP and (
        parent is None or parent.kind not in (PartyOrg.Kind.BRANCH, PartyOrg.Kind.JOINT_BRANCH)
    ):
        raise ValidationFailed(MSG_ORG_GROUP_PARENT, field="parent")


@transaction.atomic
def org_create(
    *,
    actor,
    name: str,
    kind: str,
    domain: str,
    area: Area,
    parent: PartyOrg | None = None,
    form: str = PartyOrg.Form.SINGLE,
    secretary_name: str = "",
    established_on: datetime.date | None = None,
) -> PartyOrg:
    """Register a party organization under `parent` (条), located in `area` (块)."""
    if parent is not None:
        require_manage_org(actor, parent)
    else:
        require_manage_area(actor, area)
    _check_org(name=name, kind=kind, domain=domain, form=form, parent=parent, area=area)
    org = PartyOrg(
        name=name.strip(),
        kind=kind,
        domain=domain,
        form=form,
        parent=parent,
        area=area,
        secretary_name=secretary_name.strip(),
        established_on=established_on,
        path="",
    )
    org.save()
    # The path needs the id, which exists only after the insert.
    org.path = f"{parent.path if parent else ''}{org.pk}/"
    org.save(update_fields=["path"])
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=org, changes=snapshot(org, ORG_FIELDS)
    )
    return org


@transaction.atomic
def org_update(
    *,
    actor,
    org: PartyOrg,
    name: str | None = None,
    domain: str | None = None,
    form: str | None = None,
    area: Area | None = None,
    secretary_name: str | None = None,
) -> PartyOrg:
    """Change an organization's own attributes. Moving it in the tree is not an update."""
    require_manage_org(actor, org)
    if area is not None and area.pk != org.area_id:
        require_manage_area(actor, area)
    before = snapshot(org, ORG_FIELDS)
    org.name = org.name if name is None else name.strip()
    org.domain = org.domain if domain is None else domain
    org.form = org.form if form is None else form
    org.area = org.area if area is None else area
    org.secretary_name = org.secretary_name if secretary_name is None else secretary_name.strip()
    _check_org(
        name=org.name,
        kind=org.kind,
        domain=org.domain,
        form=org.form,
        parent=None if org.kind != PartyOrg.Kind.GROUP else org.parent,
        area=org.area,
    )
    org.save()
    changes = changes_between(before, snapshot(org, ORG_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=org, changes=changes)
    return org


@transaction.atomic
def org_close(
    *, actor, org: PartyOrg, reason: str, closed_on: datetime.date | None = None
) -> PartyOrg:
    """Close (撤销) an organization. Its row, history and members' past links stay;
    units it covered become uncovered and show up in the coverage figures."""
    require_manage_org(actor, org)
    if not org.can_close():
        raise Conflict(MSG_ORG_ALREADY_CLOSED)
    if not reason.strip():
        raise ValidationFailed(MSG_CLOSE_REASON, field="reason")
    if org.children.filter(closed_on__isnull=True).exists():
        raise Conflict(MSG_ORG_HAS_OPEN_CHILDREN)
    org.closed_on = closed_on or timezone.localdate()
    org.closed_reason = reason.strip()
    org.save(update_fields=["closed_on", "closed_reason"])
    released = list(Unit.objects.filter(covering_org=org).values_list("id", flat=True))
    Unit.objects.filter(covering_org=org).update(covering_org=None)
    own = Unit.objects.filter(own_org=org).values_list("id", flat=True)
    released_own = list(own)
    Unit.objects.filter(own_org=org).update(own_org=None)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=org,
        changes={
            "closed_on": str(org.closed_on),
            "reason": org.closed_reason,
            "released_units": released + released_own,
        },
    )
    return org


# ---- units -------------------------------------------------------------------------------


def _check_unit(unit: Unit) -> None:
    if not unit.name.strip():
        raise ValidationFailed(MSG_UNIT_NAME, field="name")
    if unit.kind not in Unit.Kind.values:
        raise ValidationFailed(MSG_UNIT_KIND, field="kind")
    if unit.area.level not in UNIT_AREA_LEVELS:
        raise ValidationFailed(MSG_UNIT_AREA_LEVEL, field="area")
    if unit.employees < 0:
        raise ValidationFailed(MSG_NEGATIVE, field="employees")
    if unit.formal_members < 0:
        raise ValidationFailed(MSG_NEGATIVE, field="formal_members")
    if unit.formal_members > unit.employees:
        raise ValidationFailed(MSG_UNIT_COUNTS, field="formal_members")


def _check_coverage(unit: Unit) -> None:
    if unit.own_org_id and unit.covering_org_id:
        raise ValidationFailed(MSG_COVER_HAS_OWN, field="covering_org")
    if unit.own_org_id:
        taken = Unit.objects.filter(own_org_id=unit.own_org_id).exclude(pk=unit.pk).exists()
        if taken:
            raise Conflict(MSG_OWN_ORG_TAKEN, field="own_org")
    if unit.covering_org_id:
        org = unit.covering_org
        if not org.can_cover_units():
            raise ValidationFailed(MSG_COVER_ORG, field="covering_org")
        street_path = "/".join(unit.area.path.split("/")[:3]) + "/"
        if not org.area.path.startswith(street_path) and not street_path.startswith(org.area.path):
            raise ValidationFailed(MSG_COVER_TERRITORY, field="covering_org")


@transaction.atomic
def unit_create(
    *,
    actor,
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
        raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc")
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
        raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc") from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=unit,
        changes=snapshot(unit, UNIT_FIELDS),
    )
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    """Change a unit's registered facts: name, kind, area, address, counts."""
    allowed = {"name", "kind", "area", "address", "employees", "formal_members"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(_("不能修改该字段"), field=sorted(unknown)[0])
    require_manage_unit(actor, unit)
    if "area" in fields and fields["area"].pk != unit.area_id:
        require_manage_area(actor, fields["area"])
    before = snapshot(unit, UNIT_FIELDS)
    for key, value in fields.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    _check_unit(unit)
    unit.save()
    changes = changes_between(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=unit, changes=changes)
    return unit


@transaction.atomic
def unit_set_coverage(
    *,
    actor,
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
    unit.own_org, unit.covering_org = own_org, covering_org
    _check_coverage(unit)
    unit.save(update_fields=["own_org", "covering_org"])
    changes = changes_between(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=unit, changes=changes)
    return unit


# ---- grids and big committees --------------------------------------------------------------


@transaction.atomic
def grid_post_assign(
    *, actor, grid: Area, user, duty: str, started_on: datetime.date | None = None
) -> GridPost:
    """Give a person a duty in a grid; a grid worker or leader also gets the grid_worker
    role on that grid, so the scope follows the duty."""
    from jiceng.accounts.services import role_grant

    require_manage_area(actor, grid)
    if grid.level != Area.Level.GRID:
        raise ValidationFailed(MSG_GRID_LEVEL, field="grid")
    if duty not in GridPost.Duty.values:
        raise ValidationFailed(_("职责无效"), field="duty")
    if (
        duty == GridPost.Duty.LEADER
        and GridPost.objects.filter(
            grid=grid, duty=GridPost.Duty.LEADER, ended_on__isnull=True
        ).exists()
    ):
        raise Conflict(MSG_GRID_LEADER_TAKEN, field="duty")
    post = GridPost.objects.create(
        grid=grid, user=user, duty=duty, started_on=started_on or timezone.localdate()
    )
    role_grant(actor=actor, user=user, role="grid_worker", area=grid, if_missing=True)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=post,
        changes={"grid": grid.pk, "user": user.pk, "duty": duty},
    )
    return post


@transaction.atomic
def grid_post_end(*, actor, post: GridPost, ended_on: datetime.date | None = None) -> GridPost:
    from jiceng.accounts.services import role_revoke_anchor

    require_manage_area(actor, post.grid)
    post.ended_on = ended_on or timezone.localdate()
    post.save(update_fields=["ended_on"])
    if not GridPost.objects.filter(grid=post.grid, user=post.user, ended_on__isnull=True).exists():
        role_revoke_anchor(actor=actor, user=post.user, role="grid_worker", area=post.grid)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=post,
        changes={"ended_on": str(post.ended_on)},
    )
    return post


def _require_visible(actor, obj) -> None:
    """An object chosen by id from a form must be one the actor can see: else a committee
    could tie itself to, and later show, another territory's org or unit."""
    if actor is not None and not scope_for(actor).contains(obj):
        raise NotFound()


@transaction.atomic
def big_committee_create(*, actor, area: Area, org: PartyOrg, name: str = "") -> BigCommittee:
    require_manage_area(actor, area)
    _require_visible(actor, org)
    if area.level not in (Area.Level.STREET, Area.Level.COMMUNITY):
        raise ValidationFailed(MSG_COMMITTEE_LEVEL, field="area")
    if BigCommittee.objects.filter(area=area).exists():
        raise Conflict(MSG_COMMITTEE_EXISTS, field="area")
    committee = BigCommittee.objects.create(
        area=area, org=org, name=name.strip() or f"{area.name}大党委"
    )
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
    actor,
    committee: BigCommittee,
    name: str,
    source: str,
    unit: Unit | None = None,
    position: str = "",
    started_on: datetime.date | None = None,
) -> PartTimeMember:
    require_manage_area(actor, committee.area)
    if not name.strip():
        raise ValidationFailed(MSG_PERSON_NAME, field="name")
    if source not in PartTimeMember.Source.values:
        raise ValidationFailed(_("来源无效"), field="source")
    if source == PartTimeMember.Source.UNIT and unit is None:
        raise ValidationFailed(_("来自驻区单位的兼职委员请选择所在单位"), field="unit")
    if unit is not None:
        _require_visible(actor, unit)
    member = PartTimeMember.objects.create(
        committee=committee,
        name=name.strip(),
        source=source,
        unit=unit,
        position=position.strip(),
        started_on=started_on or timezone.localdate(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=member,
        changes={"committee": committee.pk, "source": source, "unit": unit.pk if unit else None},
    )
    return member


# ---- bulk writes for the demo and imports ----------------------------------------------------


@dataclass
class OrgRow:
    key: str
    parent_key: str | None
    name: str
    kind: str
    domain: str
    area: Area
    form: str = PartyOrg.Form.SINGLE
    secretary_name: str = ""
    established_on: datetime.date | None = None


def org_bulk_create(
    *,
    actor,
    rows: Sequence[OrgRow],
    existing: dict[str, PartyOrg] | None = None,
    batch_size: int = 2000,
) -> dict[str, PartyOrg]:
    """Create many organizations, parents before children; returns them by key.

    Rows are validated like `org_create`; ids come back from the insert (PostgreSQL and
    SQLite >= 3.35), paths are set in a second bulk update. One audit entry per call."""
    by_key: dict[str, PartyOrg] = dict(existing or {})
    checked_areas: set[int] = set()
    with transaction.atomic():
        pending = list(rows)
        while pending:
            ready = [r for r in pending if r.parent_key is None or r.parent_key in by_key]
            if not ready:
                raise ValidationFailed(_("存在无法找到上级的党组织"), field="parent")
            ready_keys = {r.key for r in ready}
            pending = [r for r in pending if r.key not in ready_keys]
            objs = []
            for row in ready:
                parent = by_key.get(row.parent_key) if row.parent_key else None
                if row.area.pk not in checked_areas:
                    require_manage_area(actor, row.area)
                    checked_areas.add(row.area.pk)
                _check_org(
                    name=row.name,
                    kind=row.kind,
                    domain=row.domain,
                    form=row.form,
                    parent=parent,
                    area=row.area,
                )
                objs.append(
                    PartyOrg(
                        name=row.name,
                        kind=row.kind,
                        domain=row.domain,
                        form=row.form,
                        parent=parent,
                        area=row.area,
                        secretary_name=row.secretary_name,
                        established_on=row.established_on,
                        path="",
                    )
                )
            PartyOrg.objects.bulk_create(objs, batch_size=batch_size)
            for row, obj in zip(ready, objs, strict=True):
                parent = by_key.get(row.parent_key) if row.parent_key else None
                obj.path = f"{parent.path if parent else ''}{obj.pk}/"
                by_key[row.key] = obj
            PartyOrg.objects.bulk_update(objs, ["path"], batch_size=batch_size)
        created = len(by_key) - len(existing or {})
        if created:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="orgs.partyorg",
                target_label=f"{created} orgs",
                changes={"count": created},
            )
    return by_key


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


def unit_bulk_create(*, actor, rows: Sequence[UnitRow], batch_size: int = 2000) -> int:
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
                raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc")
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
                raise ValidationFailed(MSG_COVER_HAS_OWN, field="covering_org")
            units.append(unit)
        codes = sorted(seen)
        for start in range(0, len(codes), 5000):
            if Unit.objects.filter(uscc__in=codes[start : start + 5000]).exists():
                raise Conflict(MSG_UNIT_USCC_TAKEN, field="uscc")
        Unit.objects.bulk_create(units, batch_size=batch_size)
        if units:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="orgs.unit",
                target_label=f"{len(units)} units",
                changes={"count": len(units)},
            )
    return len(units)


@dataclass
class GridPostRow:
    grid: Area
    user: object
    duty: str
    started_on: datetime.date | None = None


def grid_post_bulk_assign(*, actor, rows: Sequence[GridPostRow], batch_size: int = 2000) -> int:
    """Give many people their grid duties at once, with the checks of `grid_post_assign`;
    each person also gets the grid_worker role on their grid (one bulk grant), so the
    scope follows the duty. Meant for freshly built grids: one audit entry per call."""
    from jiceng.accounts.services import RoleGrantRow, role_bulk_grant

    today = timezone.localdate()
    checked: set[int] = set()
    leaders: set[int] = set()
    posts: list[GridPost] = []
    grants: list[RoleGrantRow] = []
    granted: set[tuple[int, int]] = set()
    with transaction.atomic():
        for row in rows:
            if row.grid.pk not in checked:
                require_manage_area(actor, row.grid)
                checked.add(row.grid.pk)
            if row.grid.level != Area.Level.GRID:
                raise ValidationFailed(MSG_GRID_LEVEL, field="grid")
            if row.duty not in GridPost.Duty.values:
                raise ValidationFailed(_("职责无效"), field="duty")
            if row.duty == GridPost.Duty.LEADER:
                if row.grid.pk in leaders:
                    raise Conflict(MSG_GRID_LEADER_TAKEN, field="duty")
                leaders.add(row.grid.pk)
            posts.append(
                GridPost(
                    grid=row.grid,
                    user=row.user,
                    duty=row.duty,
                    started_on=row.started_on or today,
                )
            )
            if (row.user.pk, row.grid.pk) not in granted:
                granted.add((row.user.pk, row.grid.pk))
                grants.append(RoleGrantRow(user=row.user, role="grid_worker", area=row.grid))
        leader_grids = sorted(leaders)
        for start in range(0, len(leader_grids), 5000):
            if GridPost.objects.filter(
                grid_id__in=leader_grids[start : start + 5000],
                duty=GridPost.Duty.LEADER,
                ended_on__isnull=True,
            ).exists():
                raise Conflict(MSG_GRID_LEADER_TAKEN, field="duty")
        GridPost.objects.bulk_create(posts, batch_size=batch_size)
        role_bulk_grant(actor=actor, rows=grants, batch_size=batch_size)
        if posts:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="orgs.gridpost",
                target_label=f"{len(posts)} grid posts",
                changes={"count": len(posts)},
            )
    return len(posts)

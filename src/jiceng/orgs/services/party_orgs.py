"""Writes to party organizations (条): register, edit, move in the tree, close.

Services are keyword-only, take the acting user (None for the system), check access,
run in one transaction and leave an audit entry."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core import tree_rollups
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.inputs import max_length_of
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
from jiceng.orgs import rollup
from jiceng.orgs.access import require_manage_org
from jiceng.orgs.errors import OrgErrorCode as Code
from jiceng.orgs.models import PartyOrg, Unit

MSG_ORG_NAME = _("请填写组织名称")
MSG_ORG_NAME_LONG = _("组织名称不能超过120个字")
MSG_SECRETARY_LONG = _("书记姓名不能超过50个字")
MSG_CLOSE_REASON_LONG = _("撤销原因不能超过200个字")
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
MSG_MOVE_INTO_SELF = _("不能把党组织移到它自己或它的下级组织之下")
MSG_MOVE_NOTHING = _("请选择新的上级党组织或新的所在区域")
MSG_ORG_CLOSED = _("已撤销的党组织不能修改或移动")

ORG_AREA_LEVELS = {"district", "street", "community", "grid"}
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


def _check_org(
    *, name: str, kind: str, domain: str, form: str, parent: PartyOrg | None, area: Area
) -> None:
    if not name.strip():
        raise ValidationFailed(MSG_ORG_NAME, field="name", code=Code.ORG_NAME)
    if len(name.strip()) > max_length_of(PartyOrg, "name"):
        raise ValidationFailed(MSG_ORG_NAME_LONG, field="name", code=Code.ORG_NAME_LONG)
    if kind not in PartyOrg.Kind.values:
        raise ValidationFailed(MSG_ORG_KIND, field="kind", code=Code.ORG_KIND)
    if domain not in PartyOrg.Domain.values:
        raise ValidationFailed(MSG_ORG_DOMAIN, field="domain", code=Code.ORG_DOMAIN)
    if form not in PartyOrg.Form.values:
        raise ValidationFailed(MSG_ORG_FORM, field="form", code=Code.ORG_FORM)
    if area.level not in ORG_AREA_LEVELS:
        raise ValidationFailed(MSG_ORG_AREA_LEVEL, field="area", code=Code.ORG_AREA_LEVEL)
    if parent is not None:
        if not parent.is_open:
            raise ValidationFailed(
                MSG_ORG_PARENT_CLOSED, field="parent", code=Code.ORG_PARENT_CLOSED
            )
        if parent.kind == PartyOrg.Kind.GROUP:
            raise ValidationFailed(MSG_ORG_GROUP_CHILD, field="parent", code=Code.ORG_GROUP_CHILD)
    if kind == PartyOrg.Kind.GROUP and (
        parent is None or parent.kind not in (PartyOrg.Kind.BRANCH, PartyOrg.Kind.JOINT_BRANCH)
    ):
        raise ValidationFailed(MSG_ORG_GROUP_PARENT, field="parent", code=Code.ORG_GROUP_PARENT)


def _check_secretary(secretary_name: str) -> None:
    if len(secretary_name.strip()) > max_length_of(PartyOrg, "secretary_name"):
        raise ValidationFailed(MSG_SECRETARY_LONG, field="secretary_name", code=Code.SECRETARY_LONG)


@transaction.atomic
def org_create(
    *,
    actor: Actor,
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
    _check_secretary(secretary_name)
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
    rollup.change(None, rollup.org_contribution(org))
    tree_rollups.holder_changed("org", [org.pk])
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=org, changes=snapshot(org, ORG_FIELDS)
    )
    return org


@transaction.atomic
def org_update(
    *,
    actor: Actor,
    org: PartyOrg,
    name: str | None = None,
    domain: str | None = None,
    form: str | None = None,
    area: Area | None = None,
    secretary_name: str | None = None,
) -> PartyOrg:
    """Change an organization's own attributes. Moving it in the tree is not an update."""
    require_manage_org(actor, org)
    if not org.is_open:
        raise Conflict(MSG_ORG_CLOSED, code=Code.ORG_CLOSED)
    if area is not None and area.pk != org.area_id:
        require_manage_area(actor, area)
    before = snapshot(org, ORG_FIELDS)
    counted = rollup.org_contribution(org)
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
    _check_secretary(org.secretary_name)
    org.save()
    rollup.change(counted, rollup.org_contribution(org))
    tree_rollups.holder_moved("org", org.pk, before["area"], org.area_id)
    changes = changes_between(before, snapshot(org, ORG_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=org, changes=changes)
    return org


@transaction.atomic
def org_close(
    *, actor: Actor, org: PartyOrg, reason: str, closed_on: datetime.date | None = None
) -> PartyOrg:
    """Close (撤销) an organization. Its row, history and members' past links stay;
    units it covered become uncovered and show up in the coverage figures."""
    require_manage_org(actor, org)
    if not org.can_close():
        raise Conflict(MSG_ORG_ALREADY_CLOSED, code=Code.ORG_ALREADY_CLOSED)
    if not reason.strip():
        raise ValidationFailed(MSG_CLOSE_REASON, field="reason", code=Code.CLOSE_REASON)
    if len(reason.strip()) > max_length_of(PartyOrg, "closed_reason"):
        raise ValidationFailed(MSG_CLOSE_REASON_LONG, field="reason", code=Code.CLOSE_REASON_LONG)
    if org.children.filter(closed_on__isnull=True).exists():
        raise Conflict(MSG_ORG_HAS_OPEN_CHILDREN, code=Code.ORG_HAS_OPEN_CHILDREN)
    counted = rollup.org_contribution(org)
    org.closed_on = closed_on or timezone.localdate()
    org.closed_reason = reason.strip()
    org.save(update_fields=["closed_on", "closed_reason"])
    rollup.change(counted, rollup.org_contribution(org))
    tree_rollups.holder_changed("org", [org.pk])
    reached = list(
        Unit.objects.select_for_update().filter(Q(covering_org=org) | Q(own_org=org)).order_by("pk")
    )
    released = [u.pk for u in reached if u.covering_org_id == org.pk]
    released_own = [u.pk for u in reached if u.own_org_id == org.pk]
    Unit.objects.filter(covering_org=org).update(covering_org=None)
    Unit.objects.filter(own_org=org).update(own_org=None)
    for unit in reached:
        counted_unit = rollup.unit_contribution(unit)
        if unit.covering_org_id == org.pk:
            unit.covering_org = None
        if unit.own_org_id == org.pk:
            unit.own_org = None
        rollup.change(counted_unit, rollup.unit_contribution(unit))
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


@transaction.atomic
def org_move(
    *,
    actor: Actor,
    org: PartyOrg,
    parent: PartyOrg | None,
    area: Area | None = None,
) -> PartyOrg:
    """Move an organization in the affiliation tree (条) under `parent` (None: it becomes
    a top-level org) and, optionally, to another location `area` (块). The whole subtree
    moves with it in one update of the paths; the old place stays in the audit log.

    The actor must manage the org and the new parent (or, for a top-level org, its
    area), and the new area: street staff cannot move an org into another street."""
    require_manage_org(actor, org)
    if not org.is_open:
        raise Conflict(MSG_ORG_CLOSED, code=Code.ORG_CLOSED)
    new_area = area or org.area
    if parent is not None:
        require_manage_org(actor, parent)
        if parent.path.startswith(org.path):
            raise ValidationFailed(MSG_MOVE_INTO_SELF, field="parent", code=Code.MOVE_INTO_SELF)
    else:
        require_manage_area(actor, new_area)
    if new_area.pk != org.area_id:
        require_manage_area(actor, new_area)
    if (parent.pk if parent else None) == org.parent_id and new_area.pk == org.area_id:
        raise ValidationFailed(MSG_MOVE_NOTHING, field="parent", code=Code.MOVE_NOTHING)
    _check_org(
        name=org.name,
        kind=org.kind,
        domain=org.domain,
        form=org.form,
        parent=parent,
        area=new_area,
    )
    old_path, old_parent_id, old_area_id = org.path, org.parent_id, org.area_id
    new_path = f"{parent.path if parent else ''}{org.pk}/"
    if new_path != old_path:
        # Lock the subtree, then rewrite every path below in one statement.
        list(PartyOrg.objects.select_for_update().filter(path__startswith=old_path).values("id"))
        PartyOrg.objects.filter(path__startswith=old_path).update(
            path=Concat(
                Value(new_path), Substr(F("path"), len(old_path) + 1), output_field=CharField()
            )
        )
    counted = rollup.org_contribution(org)
    PartyOrg.objects.filter(pk=org.pk).update(parent=parent, area=new_area)
    org.refresh_from_db()
    rollup.change(counted, rollup.org_contribution(org))
    tree_rollups.holder_moved("org", org.pk, old_area_id, org.area_id)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.MOVE,
        target=org,
        changes={
            "parent": {"old": old_parent_id, "new": org.parent_id},
            "area": {"old": old_area_id, "new": org.area_id},
            "path": {"old": old_path, "new": org.path},
        },
    )
    return org


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
    actor: Actor,
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
                raise ValidationFailed(
                    _("存在无法找到上级的党组织"), field="parent", code=Code.PARENT_MISSING
                )
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
            rollup.add_contributions(rollup.org_contribution(obj) for obj in objs)
            tree_rollups.holder_changed("org", [obj.pk for obj in objs])
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

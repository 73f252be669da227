"""Who handles cases: handling units, their handlers, and the routing rules that send an
area's cases (of a category, or of any) to a unit; one by one and in bulk."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.accounts.selectors import assignment_list
from jiceng.appeals.errors import (
    MSG_HANDLER_UNKNOWN,
    MSG_NAME,
    MSG_RULE_AREA_LEVEL,
    MSG_RULE_UNIT_AREA,
    MSG_UNIT_INACTIVE,
    MSG_UNIT_KIND,
    MSG_UNIT_NAME_TAKEN,
    conflict,
    invalid,
)
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Category, HandlerMembership, HandlingUnit, RoutingRule
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
from jiceng.core.validators import clean_text


@transaction.atomic
def handling_unit_create(*, actor: Actor, name: str, kind: str, area: Area) -> HandlingUnit:
    require_manage_area(actor, area)
    name = clean_text(name)
    if not name:
        raise invalid(MSG_NAME, Code.NAME_REQUIRED, "name")
    if kind not in HandlingUnit.Kind.values:
        raise invalid(MSG_UNIT_KIND, Code.UNIT_KIND, "kind")
    unit = HandlingUnit.objects.create(name=name[:80], kind=kind, area=area)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=unit, changes={"kind": kind})
    return unit


@transaction.atomic
def handler_add(*, actor: Actor, unit: HandlingUnit, user) -> HandlerMembership:
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


@transaction.atomic
def handling_unit_set_active(*, actor: Actor, unit: HandlingUnit, active: bool) -> HandlingUnit:
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
def handler_add_by_username(
    *, actor: Actor, unit: HandlingUnit, username: str
) -> HandlerMembership:
    """Add a handler named by user name. The account must hold a role inside the
    actor's territory, so nobody can pull in an account they cannot see."""
    username = (username or "").strip()
    assignment = (
        assignment_list(viewer=actor).filter(user__username__iexact=username).first()
        if username
        else None
    )
    if assignment is None:
        require_manage_area(actor, unit.area)
        raise invalid(MSG_HANDLER_UNKNOWN, Code.HANDLER_UNKNOWN, "username")
    return handler_add(actor=actor, unit=unit, user=assignment.user)


@transaction.atomic
def handler_remove(*, actor: Actor, membership: HandlerMembership) -> HandlerMembership:
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
        raise invalid(MSG_RULE_AREA_LEVEL, Code.RULE_AREA_LEVEL, "area")
    if not unit.is_active:
        raise invalid(MSG_UNIT_INACTIVE, Code.UNIT_INACTIVE, "unit")
    if not area.path.startswith(unit.area.path):
        raise invalid(MSG_RULE_UNIT_AREA, Code.RULE_UNIT_AREA, "unit")


@transaction.atomic
def routing_rule_delete(*, actor: Actor, rule: RoutingRule) -> None:
    """Remove a rule: the area's cases then follow the next rule up the tree, or wait
    in the street's queue."""
    require_manage_area(actor, rule.area)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        target=rule,
        changes={
            "category": rule.category.code if rule.category is not None else None,
            "unit": rule.unit_id,
        },
    )
    rule.delete()


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
            raise invalid(MSG_NAME, Code.NAME_REQUIRED, "name")
        if row.kind not in HandlingUnit.Kind.values:
            raise invalid(MSG_UNIT_KIND, Code.UNIT_KIND, "kind")
        if (row.area.pk, name) in seen:
            raise conflict(MSG_UNIT_NAME_TAKEN, Code.UNIT_NAME_TAKEN, "name")
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
        raise conflict(MSG_UNIT_NAME_TAKEN, Code.UNIT_NAME_TAKEN, "name") from None
    return units


@dataclass
class RoutingRuleRow:
    area: Area
    unit: HandlingUnit
    category: Category | None = None


def routing_rule_bulk_set(
    *, actor: Actor, rows: Sequence[RoutingRuleRow], batch_size: int = 2000
) -> int:
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
            raise invalid(MSG_UNIT_INACTIVE, Code.UNIT_INACTIVE, "unit")
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
        changed: list[RoutingRule] = []
        created: list[RoutingRule] = []
        for key, row in wanted.items():
            found = existing.get(key)
            if found is None:
                created.append(RoutingRule(category=row.category, area=row.area, unit=row.unit))
            elif found.unit_id != row.unit.pk:
                found.unit = row.unit
                changed.append(found)
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

"""What the duties services share: the acting user as stored, the audit helpers, and
the district a place or department belongs to."""

from jiceng.appeals.models import HandlingUnit
from jiceng.core.audit import audit_record
from jiceng.core.models import Area, AuditEntry
from jiceng.duties import access
from jiceng.duties.errors import (
    MSG_NOT_DEPARTMENT,
    MSG_STREET_OUTSIDE,
    DutyErrorCode,
    invalid,
)


def stored_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_create(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=target, changes=changes)


def audit_update(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes=changes)


def district_of(area: Area) -> Area | None:
    """The district `area` lies in (itself when a district); None above the districts."""
    if area.level == Area.Level.DISTRICT:
        return area
    codes = area.ancestor_codes()
    if len(codes) < 2:
        return None
    return Area.objects.filter(code=codes[1], level=Area.Level.DISTRICT).first()


def street_of(area: Area) -> Area | None:
    """The street `area` lies in (itself when a street); None above the streets."""
    if area.level == Area.Level.STREET:
        return area
    codes = area.ancestor_codes()
    if len(codes) < 3:
        return None
    return Area.objects.filter(code=codes[2], level=Area.Level.STREET).first()


def check_street(street: Area) -> Area:
    if street.level != Area.Level.STREET:
        raise invalid(MSG_STREET_OUTSIDE, DutyErrorCode.STREET_OUTSIDE, "street")
    return street


def serving_department(department: HandlingUnit, street: Area) -> HandlingUnit:
    """A department whose district (or street) the street lies in."""
    if not access.is_department(department):
        raise invalid(MSG_NOT_DEPARTMENT, DutyErrorCode.NOT_DEPARTMENT, "department")
    district = district_of(department.area)
    if district is None or not street.is_within(district):
        raise invalid(MSG_STREET_OUTSIDE, DutyErrorCode.STREET_OUTSIDE, "street")
    return department

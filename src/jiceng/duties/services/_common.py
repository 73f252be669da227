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
from jiceng.duties.places import district_of, street_of  # noqa: F401  (re-exported)


def stored_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_create(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=target, changes=changes)


def audit_update(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes=changes)


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

"""What the orglife services share: the acting user as stored, and the audit helper."""

from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry


def stored_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_create(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=target, changes=changes)


def audit_update(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes=changes)

"""What the assessment services share: the acting user as stored, the audit helpers and
the one text check (core.inputs: length, control characters; the field named)."""

import datetime

from jiceng.assessment.errors import (
    MSG_DATE_REQUIRED,
    MSG_TEXT_REQUIRED,
    AssessmentErrorCode,
    invalid,
)
from jiceng.core.audit import audit_record
from jiceng.core.inputs import Kind, check_text
from jiceng.core.models import AuditEntry


def stored_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_create(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=target, changes=changes)


def audit_update(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes=changes)


def checked_text(
    value, *, field: str, max_length: int, required: bool = False, kind: Kind = "text"
) -> str:
    """A person's words as stored, or a refusal naming `field` (too long, control
    characters such as NUL, empty where required)."""
    if value is not None and not isinstance(value, str):
        raise invalid(MSG_TEXT_REQUIRED, AssessmentErrorCode.BAD_CHOICE, field)
    cleaned = check_text(value, field=field, max_length=max_length, kind=kind)
    if required and not cleaned:
        raise invalid(MSG_TEXT_REQUIRED, AssessmentErrorCode.TEXT_REQUIRED, field)
    return cleaned


def checked_date(value, *, field: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise invalid(MSG_DATE_REQUIRED, AssessmentErrorCode.DATE_REQUIRED, field)
    return value

"""What the supervision services share: the acting user as stored, the audit helper,
and the optional link to the assessment app's problem and rectification lists."""

import datetime

from django.apps import apps

from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry


def stored_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit(actor, action: str, target, changes: dict) -> None:
    audit_record(actor=actor, action=action, target=target, changes=changes)


def audit_create(actor, target, changes: dict) -> None:
    audit(actor, AuditEntry.Action.CREATE, target, changes)


def audit_update(actor, target, changes: dict) -> None:
    audit(actor, AuditEntry.Action.UPDATE, target, changes)


def rectification_for(
    *, actor, org, source: str, text: str, owner: str, measures: str, deadline: datetime.date
) -> list:
    """Raise a problem and its rectification item in the assessment app's lists, when
    that app is installed (assessment.services.problem_raise / rectification_create);
    nothing otherwise, and supervision keeps its own record either way."""
    if not apps.is_installed("jiceng.assessment"):
        return []
    from jiceng.assessment import services as assessment  # type: ignore[import-not-found]

    problem = assessment.problem_raise(actor=actor, org=org, source=source, text=text)
    item = assessment.rectification_create(
        actor=actor, problem=problem, owner=owner, measures=measures, deadline=deadline
    )
    return [problem, item]

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


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rectification_for(
    *,
    actor,
    org,
    source: str,
    source_ref: str,
    year: int,
    text: str,
    owner: str,
    measures: str,
    deadline: datetime.date,
) -> list:
    """Raise a problem and its rectification item in the assessment app's lists (问题清单,
    整改清单), when that app is installed (assessment.services.problem_raise /
    rectification_create); nothing otherwise, and supervision keeps its own record
    either way. The lists hold shorter texts than supervision's records: the list
    item is shortened, the full text stays here (`source_ref` points back)."""
    if not apps.is_installed("jiceng.assessment"):
        return []
    from jiceng.assessment import services as assessment
    from jiceng.assessment.models import MEASURE_MAX, TEXT_MAX

    problem = assessment.problem_raise(
        actor=actor,
        org=org,
        source=source,
        source_ref=source_ref,
        year=year,
        text=_short(text, TEXT_MAX),
    )
    item = assessment.rectification_create(
        actor=actor,
        problem=problem,
        owner=owner,
        measures=_short(measures, MEASURE_MAX),
        deadline=deadline,
    )
    return [problem, item]

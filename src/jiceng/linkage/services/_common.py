"""What the linkage services share: the acting user as stored, the audit helpers, the
text policy with the app's required-field refusal, and who answers for a recipient."""

from collections.abc import Iterable

from django.db.models import Q

from jiceng.core.audit import audit_record
from jiceng.core.inputs import Kind, check_text
from jiceng.core.models import AuditEntry
from jiceng.core.roles import MANAGING_ROLES, ORG_MANAGING_ROLES
from jiceng.linkage.errors import MSG_TEXT_REQUIRED, LinkageErrorCode, invalid
from jiceng.linkage.models import Recipient


def stored_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_create(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=target, changes=changes)


def audit_update(actor, target, changes: dict) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=target, changes=changes)


def text(
    value: str | None, *, field: str, max_length: int, required: bool = False, kind: Kind = "text"
) -> str:
    """core.inputs' policy (length, control characters, bidi) and, where required, a
    refusal naming the field when nothing is left."""
    cleaned = check_text(value, field=field, max_length=max_length, kind=kind)
    if required and not cleaned:
        raise invalid(MSG_TEXT_REQUIRED, LinkageErrorCode.TEXT_REQUIRED, field)
    return cleaned


def answerers(recipients: Iterable[Recipient]) -> dict[int, list[int]]:
    """Recipient id → the accounts that answer for it now (core.roles: a managing role
    at the recipient area; for an org, an org-managing role at the org or a managing
    role where the org sits). One query for any number of recipients."""
    from jiceng.accounts.models import RoleAssignment

    recipients = list(recipients)
    by_area: dict[int, list[int]] = {}
    by_org: dict[int, list[int]] = {}
    for r in recipients:
        if r.area_id is not None:
            by_area.setdefault(r.area_id, []).append(r.pk)
        elif r.org is not None:
            by_org.setdefault(r.org.pk, []).append(r.pk)
            by_area.setdefault(r.org.area_id, []).append(r.pk)
    if not recipients:
        return {}
    rows = RoleAssignment.objects.filter(revoked_at__isnull=True).filter(
        Q(role__in=MANAGING_ROLES, area_id__in=list(by_area))
        | Q(role__in=ORG_MANAGING_ROLES, org_id__in=list(by_org))
    )
    result: dict[int, list[int]] = {r.pk: [] for r in recipients}
    for user_id, area_id, org_id in rows.values_list("user_id", "area_id", "org_id"):
        for pk in by_area.get(area_id, []) if area_id else by_org.get(org_id, []):
            if user_id not in result[pk]:
                result[pk].append(user_id)
    return result

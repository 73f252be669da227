"""Transfers of the organizational relationship (组织关系转接): start, accept, return,
cancel."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.notifications import managers_of, notify_after_commit
from jiceng.members import access, rollup
from jiceng.members.errors import (
    MSG_REASON,
    MSG_TRANSFER_DECIDED,
    MSG_TRANSFER_PENDING,
    MSG_TRANSFER_SAME_ORG,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.events import member_event
from jiceng.members.models import (
    Member,
    MemberEvent,
    Membership,
    Transfer,
)
from jiceng.members.services._common import (
    check_org,
)
from jiceng.members.services.accounts import _move_member_role
from jiceng.orgs.models import PartyOrg


@transaction.atomic
def transfer_start(*, actor, member: Member, to_org: PartyOrg, reason: str) -> Transfer:
    """The sending org starts a transfer. The receiving org may lie in another district,
    outside the sender's scope: it is named by id, and sees the transfer once started."""
    access.require_manage_member(actor, member)
    check_org(to_org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="reason", code=Code.REASON_REQUIRED)
    if to_org.pk == member.org_id:
        raise ValidationFailed(MSG_TRANSFER_SAME_ORG, field="to_org", code=Code.TRANSFER_SAME_ORG)
    if Transfer.objects.filter(member=member, state=Transfer.State.PENDING).exists():
        raise Conflict(MSG_TRANSFER_PENDING, field="member", code=Code.TRANSFER_PENDING)
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member,
                from_org=member.org,
                to_org=to_org,
                reason=reason[:200],
                started_at=timezone.now(),
                started_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise Conflict(MSG_TRANSFER_PENDING, field="member", code=Code.TRANSFER_PENDING) from None
    member_event(
        member,
        MemberEvent.Kind.TRANSFER_STARTED,
        actor=actor,
        note=reason,
        data={"transfer": transfer.pk, "to_org": to_org.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=transfer,
        changes={"from_org": member.org_id, "to_org": to_org.pk, "reason": reason},
    )
    # The receiving side (its org's secretary and the staff where it sits) hears of the
    # transfer awaiting it once the start is committed.
    notify_after_commit(
        managers_of(area=to_org.area, org=to_org),
        title=_("待接收的组织关系转接：%(org)s") % {"org": to_org.name},
        body=_("转出：%(org)s") % {"org": transfer.from_org.name},
        url=reverse("members:transfers"),
    )
    return transfer


def _lock_transfer(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not locked.can_decide():
        raise Conflict(MSG_TRANSFER_DECIDED, field="state", code=Code.TRANSFER_DECIDED)
    return locked


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer) -> Transfer:
    """The receiving org accepts: only now does the member's org change."""
    access.require_decide_transfer(actor, transfer)
    transfer = _lock_transfer(transfer)
    check_org(transfer.to_org)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    today = timezone.localdate()
    Membership.objects.filter(member=member, ended_on__isnull=True).update(ended_on=today)
    Membership.objects.create(
        member=member, org=transfer.to_org, started_on=today, reason=Membership.Reason.TRANSFER
    )
    counted = rollup.facts_of(member)
    member.org = transfer.to_org
    member.save(update_fields=["org"])
    rollup.change(counted, rollup.facts_of(member))
    _move_member_role(
        actor=actor, member=member, from_org=transfer.from_org, to_org=transfer.to_org
    )
    transfer.state = Transfer.State.ACCEPTED
    transfer.decided_at = timezone.now()
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "decided_at", "decided_by"])
    member_event(
        member, MemberEvent.Kind.TRANSFER_ACCEPTED, actor=actor, data={"transfer": transfer.pk}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=transfer,
        changes={"state": {"old": "pending", "new": "accepted"}},
    )
    return transfer


@transaction.atomic
def transfer_return(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """The receiving org sends it back with a reason; the member stays where they were."""
    access.require_decide_transfer(actor, transfer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON, field="return_reason", code=Code.REASON_REQUIRED)
    transfer = _lock_transfer(transfer)
    transfer.state = Transfer.State.RETURNED
    transfer.return_reason = reason[:200]
    transfer.decided_at = timezone.now()
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "return_reason", "decided_at", "decided_by"])
    member_event(
        transfer.member,
        MemberEvent.Kind.TRANSFER_RETURNED,
        actor=actor,
        note=reason,
        data={"transfer": transfer.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=transfer,
        changes={"state": {"old": "pending", "new": "returned"}, "return_reason": reason},
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """The sending org withdraws a transfer not yet decided."""
    access.require_cancel_transfer(actor, transfer)
    transfer = _lock_transfer(transfer)
    transfer.state = Transfer.State.CANCELLED
    transfer.decided_at = timezone.now()
    transfer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    transfer.save(update_fields=["state", "decided_at", "decided_by"])
    member_event(
        transfer.member,
        MemberEvent.Kind.TRANSFER_CANCELLED,
        actor=actor,
        data={"transfer": transfer.pk},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=transfer,
        changes={"state": {"old": "pending", "new": "cancelled"}},
    )
    return transfer

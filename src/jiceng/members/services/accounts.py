"""The member's own account: opening or linking it, and its role following a
transfer."""

from django.db import transaction

from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict
from jiceng.core.models import AuditEntry
from jiceng.members import access
from jiceng.members.errors import (
    MSG_ACCOUNT_EXISTS,
    MSG_ACCOUNT_TAKEN,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.events import member_event
from jiceng.members.models import (
    Member,
    MemberEvent,
)
from jiceng.orgs.models import PartyOrg


@transaction.atomic
def member_account_open(*, actor, member: Member, username: str, password: str):
    """The org that keeps the record opens the member's own sign-in: an account with the
    member role on the member's org, linked to the record, so the member sees their own
    file, transfers and service hours (and nothing of anybody else's)."""
    from jiceng.accounts.services import user_create

    access.require_manage_member(actor, member)
    if Member.objects.filter(pk=member.pk, account__isnull=False).exists():
        raise Conflict(MSG_ACCOUNT_EXISTS, field="username", code=Code.ACCOUNT_EXISTS)
    user = user_create(actor=actor, username=username, password=password, full_name=member.name)
    member_account_link(actor=actor, member=member, user=user)
    return user


@transaction.atomic
def member_account_link(*, actor, member: Member, user) -> Member:
    """Link an existing account to the member's record and give it the member role on
    the member's org (kept if it already has it)."""
    from jiceng.accounts.models import Role
    from jiceng.accounts.services import role_grant

    access.require_manage_member(actor, member)
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member.account_id is not None:
        raise Conflict(MSG_ACCOUNT_EXISTS, field="username", code=Code.ACCOUNT_EXISTS)
    if Member.objects.filter(account=user).exists():
        raise Conflict(MSG_ACCOUNT_TAKEN, field="username", code=Code.ACCOUNT_TAKEN)
    role_grant(actor=actor, user=user, role=Role.MEMBER, org=member.org, if_missing=True)
    member.account = user
    member.save(update_fields=["account"])
    member_event(member, MemberEvent.Kind.ACCOUNT_OPENED, actor=actor, data={"user": user.pk})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=member,
        changes={"account": {"old": None, "new": user.username}},
    )
    return member


def _move_member_role(*, actor, member: Member, from_org: PartyOrg, to_org: PartyOrg) -> None:
    """After a transfer the member's own role follows them to the receiving org. The
    receiving side may not manage the sending org, so the revocation is the system's
    consequence of the accepted transfer (actor None), audited like any revocation."""
    from jiceng.accounts.models import Role
    from jiceng.accounts.services import role_grant, role_revoke_anchor

    if member.account_id is None:
        return
    role_revoke_anchor(actor=None, user=member.account, role=Role.MEMBER, org=from_org)
    role_grant(actor=actor, user=member.account, role=Role.MEMBER, org=to_org, if_missing=True)

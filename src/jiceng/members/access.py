"""Who may read, change and reveal members' records. Reading goes through core.scope."""

from jiceng.core.access import can_manage_area
from jiceng.core.access import require as _require
from jiceng.core.models import Area
from jiceng.core.scope import KIND_AUDIT, scope_for
from jiceng.members.models import DualReport, Member, MobileInflow, MobileOutflow, Transfer
from jiceng.orgs.access import can_manage_org
from jiceng.orgs.models import PartyOrg


def can_manage_member(user, member: Member) -> bool:
    """The org that holds the member, or territory staff above it, keep the record."""
    return can_manage_org(user, member.org)


def is_own_record(user, member: Member) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and member.account_id is not None
        and member.account_id == user.pk
    )


def can_reveal_member(user, member: Member) -> bool:
    """Full ID numbers and phones are for those who keep the record and for the member
    themselves, nobody else; every reveal is audited by the service."""
    return user is not None and (can_manage_member(user, member) or is_own_record(user, member))


def require_manage_member(user, member: Member) -> None:
    _require(user, member, can_manage_member(user, member))


def require_manage_org_members(user, org: PartyOrg) -> None:
    _require(user, org, can_manage_org(user, org))


def require_manage_community(user, community: Area) -> None:
    _require(user, community, can_manage_area(user, community))


def can_decide_transfer(user, transfer: Transfer) -> bool:
    """Only the receiving side accepts or returns."""
    return can_manage_org(user, transfer.to_org)


def can_cancel_transfer(user, transfer: Transfer) -> bool:
    return can_manage_org(user, transfer.from_org)


def require_decide_transfer(user, transfer: Transfer) -> None:
    _require(user, transfer, can_decide_transfer(user, transfer))


def require_cancel_transfer(user, transfer: Transfer) -> None:
    _require(user, transfer, can_cancel_transfer(user, transfer))


def require_manage_outflow(user, outflow: MobileOutflow) -> None:
    _require(user, outflow, can_manage_org(user, outflow.home_org))


def require_manage_inflow(user, inflow: MobileInflow) -> None:
    _require(user, inflow, can_manage_area(user, inflow.community))


def require_manage_dual_report(user, report: DualReport) -> None:
    """The community the report was made to assigns service and records hours."""
    _require(user, report, can_manage_area(user, report.community))


def get_member_for_view(user, member_id) -> Member:
    return scope_for(user).get(
        Member.objects.select_related("org", "org__area", "residence_community", "work_unit"),
        pk=member_id,
    )


def get_member_for_manage(user, member_id) -> Member:
    member = scope_for(user).get(
        Member.objects.select_for_update(of=("self",)).select_related("org", "org__area"),
        pk=member_id,
    )
    require_manage_member(user, member)
    return member


def get_transfer_for_view(user, transfer_id) -> Transfer:
    return scope_for(user).get(
        Transfer.objects.select_related("member", "from_org", "to_org"), pk=transfer_id
    )


def can_see_data_access(user, member: Member) -> bool:
    """Who saw a member's personal data is for the member and for auditors whose
    territory holds the record (core.scope decides both)."""
    return is_own_record(user, member) or (
        scope_for(user).can_see_kind(KIND_AUDIT) and scope_for(user).contains(member)
    )


def get_member_for_data_access(user, member_id) -> Member:
    member = get_member_for_view(user, member_id)
    _require(user, member, can_see_data_access(user, member))
    return member

"""Who may change organizations and units. Reading goes through core.scope."""

from jiceng.core.access import can_manage_area, require_manage_area
from jiceng.core.access import require as _require
from jiceng.core.scope import scope_for
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit


def can_manage_org(user, org: PartyOrg) -> bool:
    """Territory staff manage orgs located in their area; a unit org secretary manages
    the orgs below their own (not their own org's place in the tree)."""
    if can_manage_area(user, org.area):
        return True
    return any(org.path.startswith(path) for path in scope_for(user).managed_org_paths())


def can_manage_unit(user, unit: Unit) -> bool:
    return can_manage_area(user, unit.area)


def require_manage_org(user, org: PartyOrg) -> None:
    _require(user, org, can_manage_org(user, org))


def require_manage_unit(user, unit: Unit) -> None:
    _require(user, unit, can_manage_unit(user, unit))


def get_org_for_view(user, org_id) -> PartyOrg:
    return scope_for(user).get(PartyOrg.objects.select_related("area", "parent"), pk=org_id)


def get_org_for_manage(user, org_id) -> PartyOrg:
    org = scope_for(user).get(
        PartyOrg.objects.select_for_update().select_related("area"), pk=org_id
    )
    require_manage_org(user, org)
    return org


def get_unit_for_view(user, unit_id) -> Unit:
    return scope_for(user).get(
        Unit.objects.select_related("area", "own_org", "covering_org"), pk=unit_id
    )


def get_unit_for_manage(user, unit_id) -> Unit:
    # Lock the unit row only: an org-bound scope reaches the unit through its nullable
    # org links (outer joins), which PostgreSQL refuses to lock.
    unit = scope_for(user).get(
        Unit.objects.select_for_update(of=("self",)).select_related("area"), pk=unit_id
    )
    require_manage_unit(user, unit)
    return unit


def get_grid_post_for_manage(user, post_id) -> GridPost:
    post = scope_for(user).get(GridPost.objects.select_related("grid", "user"), pk=post_id)
    require_manage_area(user, post.grid)
    return post


def get_committee_for_view(user, committee_id) -> BigCommittee:
    return scope_for(user).get(BigCommittee.objects.select_related("area", "org"), pk=committee_id)


def get_committee_for_manage(user, committee_id) -> BigCommittee:
    committee = get_committee_for_view(user, committee_id)
    require_manage_area(user, committee.area)
    return committee


def get_part_time_member_for_manage(user, member_id) -> PartTimeMember:
    member = scope_for(user).get(
        PartTimeMember.objects.select_related("committee__area"), pk=member_id
    )
    require_manage_area(user, member.committee.area)
    return member

"""The party orgs the organizational-life forms choose, as pickers (`core.pickers`):

- `orglife-orgs`: open orgs the viewer sees (a contact point's or a topic's org, which
  the services check further), with `levels` ("community,grid,building") naming the
  levels of area the org may sit at;
- `meeting-orgs`: open orgs whose meetings the viewer may record;
- `household-members`: members of open orgs the viewer sees (a household link's party
  member), found by name.

The areas are `manageable-areas` (core.area_pickers)."""

from django.db.models import QuerySet

from jiceng.core.models import Area
from jiceng.core.pickers import Picker, register
from jiceng.orglife.selectors import open_members, open_org_candidates
from jiceng.orgs.models import PartyOrg

LEVELS = {value for value, _label in Area.Level.choices}


def _levels(params: dict) -> tuple[str, ...]:
    """Unknown names are dropped; none means every level."""
    return tuple(v for v in str(params.get("levels", "")).split(",") if v in LEVELS)


def _orgs(user, params: dict) -> QuerySet[PartyOrg]:
    return open_org_candidates(viewer=user, area_levels=_levels(params))


def _search(orgs: QuerySet[PartyOrg], q: str) -> QuerySet[PartyOrg]:
    return orgs.filter(name__icontains=q)


def _may_record(user, org: PartyOrg) -> bool:
    from jiceng.orglife.access import can_record_meeting

    return can_record_meeting(user, org)


def member_label(member) -> str:
    return f"{member.name}（{member.org.name}）"


def register_pickers() -> None:
    register(
        Picker(
            name="household-members",
            candidates=lambda user, params: open_members(viewer=user),
            search=lambda members, q: members.filter(name__icontains=q),
            label=member_label,
        )
    )
    register(
        Picker(name="orglife-orgs", candidates=_orgs, search=_search, label=str, params=("levels",))
    )
    register(
        Picker(
            name="meeting-orgs",
            candidates=lambda user, params: open_org_candidates(viewer=user),
            search=_search,
            label=str,
            allowed=_may_record,
        )
    )

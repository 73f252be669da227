"""The party orgs a form may choose, as a picker (`core.pickers`): open orgs the viewer
sees and may change (as territory staff where the org is, or as a unit org's secretary
above it); with `joint=1`, only those that may cover other units (a joint branch, or an
org formed other than singly); with `groups=0`, without party groups (党小组): a
resource is offered by a unit's org, not by a group within it."""

from django.db.models import Q, QuerySet

from jiceng.core.pickers import Picker, register
from jiceng.orgs.models import PartyOrg
from jiceng.orgs.selectors import org_list

JOINT = Q(kind=PartyOrg.Kind.JOINT_BRANCH) | ~Q(form=PartyOrg.Form.SINGLE)


def _candidates(user, params: dict) -> QuerySet[PartyOrg]:
    orgs = org_list(viewer=user)
    if params.get("joint") == "1":
        orgs = orgs.filter(JOINT)
    if params.get("groups") == "0":
        orgs = orgs.exclude(kind=PartyOrg.Kind.GROUP)
    return orgs


def _search(orgs: QuerySet[PartyOrg], q: str) -> QuerySet[PartyOrg]:
    return orgs.filter(name__icontains=q)


def _allowed(user, org: PartyOrg) -> bool:
    from jiceng.orgs.access import can_manage_org

    return can_manage_org(user, org)


def register_pickers() -> None:
    register(
        Picker(
            name="manageable-orgs",
            candidates=_candidates,
            search=_search,
            label=str,
            allowed=_allowed,
            params=("joint", "groups"),
        )
    )

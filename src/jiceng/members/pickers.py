"""The party orgs a member may be registered or imported into, as a picker
(`core.pickers`): open orgs the viewer sees and may change, other than party groups (a
group keeps no members of its own; they are registered in its branch)."""

from django.db.models import QuerySet

from jiceng.core.pickers import Picker, register
from jiceng.orgs.models import PartyOrg
from jiceng.orgs.selectors import org_list


def _candidates(user, params: dict) -> QuerySet[PartyOrg]:
    return org_list(viewer=user).exclude(kind=PartyOrg.Kind.GROUP)


def _search(orgs: QuerySet[PartyOrg], q: str) -> QuerySet[PartyOrg]:
    return orgs.filter(name__icontains=q)


def _allowed(user, org: PartyOrg) -> bool:
    from jiceng.orgs.access import can_manage_org

    return can_manage_org(user, org)


def register_pickers() -> None:
    register(
        Picker(
            name="member-orgs",
            candidates=_candidates,
            search=_search,
            label=str,
            allowed=_allowed,
        )
    )

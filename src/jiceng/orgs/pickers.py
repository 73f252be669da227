"""What the orgs app's forms choose among thousands, as pickers (`core.pickers`).

- "manageable-orgs": open orgs the viewer sees and may change (as territory staff where
  the org is, or as a unit org's secretary above it); with `joint=1`, only those that
  may cover other units (a joint branch, or an org formed other than singly); with
  `groups=0`, without party groups (党小组: a resource is offered by a unit's org, not
  by a group within it).
- "post-people": the accounts a grid duty may be given (`selectors.post_candidates`).
- "committee-units": the open units under a big committee's area (`area=<id>`), where a
  part-time member may come from.
"""

from django.db.models import Q, QuerySet

from jiceng.core.models import Area
from jiceng.core.pickers import Picker, register
from jiceng.orgs.models import PartyOrg, Unit
from jiceng.orgs.selectors import org_list, post_candidates, unit_list

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


def _people(user, params: dict):
    return post_candidates(viewer=user)


def _search_people(people, q: str):
    return people.filter(Q(username__icontains=q) | Q(full_name__icontains=q))


def person_label(person) -> str:
    return f"{person.full_name or person.username}（{person.username}）"


def _committee_units(user, params: dict) -> QuerySet[Unit]:
    from jiceng.core.scope import KIND_UNIT, scope_for

    try:
        area = Area.objects.get(pk=int(params.get("area") or ""))
    except (Area.DoesNotExist, ValueError):
        return Unit.objects.none()
    if not scope_for(user).can_see_kind(KIND_UNIT):
        return Unit.objects.none()
    return unit_list(viewer=user, area=area)


def _search_units(units: QuerySet[Unit], q: str) -> QuerySet[Unit]:
    """By name, or by the whole credit code (what a unit's papers show)."""
    return units.filter(Q(name__icontains=q) | Q(uscc__iexact=q.strip()))


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
    register(
        Picker(name="post-people", candidates=_people, search=_search_people, label=person_label)
    )
    register(
        Picker(
            name="committee-units",
            candidates=_committee_units,
            search=_search_units,
            params=("area",),
        )
    )

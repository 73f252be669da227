"""Who may act in regional co-building. Reading goes through core.scope.

- Needs, matching, projects' plans and evaluations, agreements, joint meetings and
  service centres belong to the territory staff who manage the community (street,
  district) concerned.
- A resource, a project it provides, a unit's venue, and the unit's side of an agreement
  also belong to the party org that offers or signs them: `orgs.access.can_manage_org`
  (its secretary and the orgs above it; territory staff of the org's area too).
Objects outside the viewer's scope answer 404, visible ones the viewer may not change 403.
An area's and an org's own rules are `core.access.require_manage_area` and
`orgs.access.require_manage_org`.
"""

from jiceng.cobuild.models import (
    Agreement,
    Booking,
    Commitment,
    JointMeeting,
    MatchProposal,
    MatchRun,
    MeetingTask,
    Need,
    Project,
    Resource,
    Room,
    Venue,
)
from jiceng.core.access import can_manage_area
from jiceng.core.access import require as _require
from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.orgs.access import can_manage_org, can_manage_unit
from jiceng.orgs.models import BigCommittee, PartyOrg, Unit


def unit_orgs(unit: Unit) -> list[PartyOrg]:
    """The orgs that speak for a unit: its own, or the joint org covering it."""
    return [org for org in (unit.own_org, unit.covering_org) if org is not None]


def resource_provider_org(resource: Resource) -> PartyOrg:
    if resource.offered_by_org_id:
        return resource.offered_by_org
    return resource.dual_report.member.org


def can_manage_need(user, need: Need) -> bool:
    return can_manage_area(user, need.community)


def can_manage_resource(user, resource: Resource) -> bool:
    return can_manage_area(user, resource.area) or can_manage_org(
        user, resource_provider_org(resource)
    )


def can_run_matching(user, area: Area) -> bool:
    return can_manage_area(user, area)


def can_decide_proposal(user, proposal: MatchProposal) -> bool:
    return can_manage_area(user, proposal.need.community)


def can_steer_project(user, project: Project) -> bool:
    """Plan, budget, resources and the beneficiaries' evaluation: the community's staff."""
    return can_manage_area(user, project.need.community)


def can_carry_out_project(user, project: Project) -> bool:
    """Claim, start and complete: the providing org, or the community's staff for it."""
    if can_steer_project(user, project):
        return True
    return project.provider_org_id is not None and can_manage_org(user, project.provider_org)


def can_act_for_unit(user, unit: Unit) -> bool:
    orgs = unit_orgs(unit)
    if not orgs:
        # A unit without a party org is represented by the territory staff of its area.
        return can_manage_unit(user, unit)
    return any(can_manage_org(user, org) for org in orgs)


def can_act_for_side(user, agreement: Agreement, side: str) -> bool:
    """The community side of an agreement is its staff; the unit side is the unit's org."""
    if side == Commitment.Side.UNIT:
        return can_act_for_unit(user, agreement.unit)
    return can_manage_area(user, agreement.community)


def can_manage_meeting(user, committee: BigCommittee) -> bool:
    return can_manage_area(user, committee.area)


def can_manage_venue(user, venue: Venue) -> bool:
    if can_manage_area(user, venue.area):
        return True
    return venue.unit_id is not None and any(
        can_manage_org(user, org) for org in unit_orgs(venue.unit)
    )


def require_manage_need(user, need: Need) -> None:
    _require(user, need, can_manage_need(user, need))


def require_manage_resource(user, resource: Resource) -> None:
    _require(user, resource, can_manage_resource(user, resource))


def require_decide_proposal(user, proposal: MatchProposal) -> None:
    _require(user, proposal, can_decide_proposal(user, proposal))


def require_steer_project(user, project: Project) -> None:
    _require(user, project, can_steer_project(user, project))


def require_carry_out_project(user, project: Project) -> None:
    _require(user, project, can_carry_out_project(user, project))


def require_act_for_side(user, agreement: Agreement, side: str) -> None:
    _require(user, agreement, can_act_for_side(user, agreement, side))


def require_act_for_unit(user, unit: Unit) -> None:
    _require(user, unit, can_act_for_unit(user, unit))


def require_manage_meeting(user, meeting: JointMeeting) -> None:
    _require(user, meeting, can_manage_meeting(user, meeting.committee))


def require_manage_committee(user, committee: BigCommittee) -> None:
    _require(user, committee, can_manage_meeting(user, committee))


def require_manage_task(user, task: MeetingTask) -> None:
    _require(user, task, can_manage_meeting(user, task.meeting.committee))


def require_manage_venue(user, venue: Venue) -> None:
    _require(user, venue, can_manage_venue(user, venue))


def require_manage_room(user, room: Room) -> None:
    _require(user, room, can_manage_venue(user, room.venue))


def require_manage_booking(user, booking: Booking) -> None:
    _require(user, booking, can_manage_venue(user, booking.room.venue))


# ---- getters by id: scoped, one answer for missing and out of scope -------------------------


def get_need_for_view(user, need_id) -> Need:
    return scope_for(user).get(
        Need.objects.select_related("community", "appeal", "appeal__category"), pk=need_id
    )


def get_resource_for_view(user, resource_id) -> Resource:
    return scope_for(user).get(
        Resource.objects.select_related(
            "area", "offered_by_org", "dual_report", "dual_report__member"
        ),
        pk=resource_id,
    )


def get_project_for_view(user, project_id) -> Project:
    return scope_for(user).get(
        Project.objects.select_related("need", "need__community", "provider_org", "owner"),
        pk=project_id,
    )


def get_run_for_view(user, run_id) -> MatchRun:
    return scope_for(user).get(MatchRun.objects.select_related("area"), pk=run_id)


def get_proposal_for_view(user, proposal_id) -> MatchProposal:
    return scope_for(user).get(
        MatchProposal.objects.select_related("run", "need", "need__community", "resource"),
        pk=proposal_id,
    )


def get_agreement_for_view(user, agreement_id) -> Agreement:
    return scope_for(user).get(
        Agreement.objects.select_related("community", "unit", "unit__own_org"), pk=agreement_id
    )


def get_meeting_for_view(user, meeting_id) -> JointMeeting:
    return scope_for(user).get(
        JointMeeting.objects.select_related("committee", "committee__area"), pk=meeting_id
    )


def get_task_for_view(user, task_id) -> MeetingTask:
    return scope_for(user).get(
        MeetingTask.objects.select_related("meeting", "meeting__committee", "owner_member"),
        pk=task_id,
    )


def get_venue_for_view(user, venue_id) -> Venue:
    return scope_for(user).get(Venue.objects.select_related("area", "unit"), pk=venue_id)


def get_room_for_view(user, room_id) -> Room:
    return scope_for(user).get(Room.objects.select_related("venue", "venue__area"), pk=room_id)


def get_booking_for_view(user, booking_id) -> Booking:
    return scope_for(user).get(Booking.objects.select_related("room", "room__venue"), pk=booking_id)

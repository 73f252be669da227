"""Who may act in organizational life. Reading is core.scope; these predicates decide
writes, and the `get_<noun>_for_<verb>` helpers scope, lock and refuse uniformly:
out of scope answers 404, visible but not changeable 403.

- Meetings and their tasks belong to whoever manages the org (`orgs.access`): its
  territory's staff, and a unit org's secretary for the orgs of that unit.
- Deliberation belongs to the community's staff (and the street, district above).
- A contact point belongs to the staff of the official's level and of the community,
  and to the official's own account.
- A household link belongs to the grid's staff and to those who manage the member's org;
  the member records their own visits.
"""

from jiceng.core.access import can_manage_area, require
from jiceng.core.errors import NotFound
from jiceng.core.scope import scope_for
from jiceng.orglife.models import (
    ContactPoint,
    ContactProblem,
    HouseholdLink,
    HouseholdVisit,
    Meeting,
    MeetingAttachment,
    MeetingTask,
    Topic,
)
from jiceng.orgs.access import can_manage_org
from jiceng.orgs.models import PartyOrg


def can_record_meeting(user, org: PartyOrg) -> bool:
    return can_manage_org(user, org)


def can_manage_meeting(user, meeting: Meeting) -> bool:
    return can_manage_org(user, meeting.org)


def can_manage_task(user, task: MeetingTask) -> bool:
    return can_manage_org(user, task.meeting.org)


def can_manage_topic(user, topic: Topic) -> bool:
    return can_manage_area(user, topic.community)


def can_manage_point(user, point: ContactPoint) -> bool:
    if user is not None and point.official_id is not None and point.official_id == user.pk:
        return True
    return can_manage_area(user, point.official_area) or can_manage_area(user, point.org.area)


def can_manage_problem(user, problem: ContactProblem) -> bool:
    return can_manage_point(user, problem.point)


def can_manage_link(user, link: HouseholdLink) -> bool:
    return can_manage_area(user, link.grid) or can_manage_org(user, link.member.org)


def can_record_visit(user, link: HouseholdLink) -> bool:
    """The linked member on their own account, or those who manage the link."""
    own = (
        user is not None
        and link.member.account_id is not None
        and link.member.account_id == user.pk
    )
    return own or can_manage_link(user, link)


def can_forward_visit(user, visit: HouseholdVisit) -> bool:
    """Turning what was raised into an appeal, a need or an issue: the community's staff,
    who own those lists."""
    return can_manage_area(user, visit.link.grid)


def _locked(user, model, pk, *related):
    queryset = model.objects.select_for_update(of=("self",)).select_related(*related)
    if user is None:
        try:
            return queryset.get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
    return scope_for(user).get(queryset, pk=pk)


def get_meeting_for_update(user, meeting_id) -> Meeting:
    meeting = _locked(user, Meeting, meeting_id, "org", "org__area")
    require(user, meeting, can_manage_meeting(user, meeting))
    return meeting


def get_attachment_for_update(user, attachment_id) -> MeetingAttachment:
    attachment = _locked(
        user, MeetingAttachment, attachment_id, "meeting", "meeting__org", "meeting__org__area"
    )
    require(user, attachment, can_manage_meeting(user, attachment.meeting))
    return attachment


def can_manage_attachment(user, attachment: MeetingAttachment) -> bool:
    return can_manage_meeting(user, attachment.meeting)


def get_task_for_update(user, task_id) -> MeetingTask:
    task = _locked(user, MeetingTask, task_id, "meeting", "meeting__org", "meeting__org__area")
    require(user, task, can_manage_task(user, task))
    return task


def get_topic_for_update(user, topic_id) -> Topic:
    topic = _locked(user, Topic, topic_id, "community")
    require(user, topic, can_manage_topic(user, topic))
    return topic


def get_problem_for_update(user, problem_id) -> ContactProblem:
    problem = _locked(
        user, ContactProblem, problem_id, "point", "point__org__area", "point__official_area"
    )
    require(user, problem, can_manage_problem(user, problem))
    return problem


def get_point_for_update(user, point_id) -> ContactPoint:
    point = _locked(user, ContactPoint, point_id, "org__area", "official_area")
    require(user, point, can_manage_point(user, point))
    return point


def get_link_for_update(user, link_id) -> HouseholdLink:
    link = _locked(user, HouseholdLink, link_id, "member", "member__org", "grid")
    require(user, link, can_manage_link(user, link))
    return link


def get_link_for_visit(user, link_id) -> HouseholdLink:
    link = _locked(user, HouseholdLink, link_id, "member", "member__org", "grid")
    require(user, link, can_record_visit(user, link))
    return link


def get_visit_for_forward(user, visit_id) -> HouseholdVisit:
    visit = _locked(user, HouseholdVisit, visit_id, "link", "link__grid", "link__member")
    require(user, visit, can_forward_visit(user, visit))
    return visit

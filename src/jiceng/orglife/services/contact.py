"""Leaders' contact points (联系点) with their visits and problems, tracked to
resolution; members' household links (党员联户) and visits (走访), whose raised matters
go on, in one step and carrying the text, to an appeal, a need or a deliberation issue.
No check-ins, no photos, no counting of visits for anyone's ranking."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from jiceng.core.access import require_manage_area
from jiceng.core.models import Area
from jiceng.members.models import Member
from jiceng.orglife import access, validators
from jiceng.orglife.errors import (
    MSG_ALREADY_FORWARDED,
    MSG_DATE_REQUIRED,
    MSG_END_BEFORE_START,
    MSG_END_BEFORE_VISIT,
    MSG_GRID_REQUIRED,
    MSG_LINK_ENDED,
    MSG_LINK_EXISTS,
    MSG_NOTHING_RAISED,
    MSG_OFFICIAL_LEVEL,
    MSG_POINT_ENDED,
    MSG_PROBLEM_RESOLVED,
    MSG_TASK_OWNER,
    OrgLifeErrorCode,
    conflict,
    invalid,
)
from jiceng.orglife.models import (
    HOUSEHOLD_MAX,
    LONG_TEXT_MAX,
    NAME_MAX,
    OWNER_MAX,
    REASON_MAX,
    TEXT_MAX,
    ContactPoint,
    ContactProblem,
    ContactVisit,
    HouseholdLink,
    HouseholdVisit,
    Issue,
)
from jiceng.orglife.services._common import audit_create, audit_update, stored_actor
from jiceng.orglife.services.deliberation import community_of, issue_create
from jiceng.orgs.models import PartyOrg

OFFICIAL_LEVELS = (Area.Level.DISTRICT, Area.Level.STREET)
GRID_LEVELS = (Area.Level.GRID, Area.Level.BUILDING)


# ---- contact points ---------------------------------------------------------------------


@transaction.atomic
def contact_point_create(
    *,
    actor,
    official_name: str,
    official_area: Area,
    org: PartyOrg,
    started_on: datetime.date,
    official_title: str = "",
    official=None,
) -> ContactPoint:
    """Link a district or street official to a grassroots org in their territory."""
    if official_area.level not in OFFICIAL_LEVELS or not org.area.path.startswith(
        official_area.path
    ):
        raise invalid(MSG_OFFICIAL_LEVEL, OrgLifeErrorCode.OFFICIAL_LEVEL, "official_area")
    require_manage_area(actor, official_area)
    point = ContactPoint.objects.create(
        official=official,
        official_name=validators.text(
            official_name, field="official_name", max_length=NAME_MAX, required=True
        ),
        official_title=validators.text(official_title, field="official_title", max_length=60),
        official_area=official_area,
        org=org,
        started_on=validators.past_date(started_on, field="started_on"),
    )
    audit_create(actor, point, {"official_area": official_area.pk, "org": org.pk})
    return point


def _end_facts(started_on, last_visit, ended_on, reason) -> tuple:
    ended_on = validators.past_date(ended_on, field="ended_on")
    if ended_on < started_on:
        raise invalid(MSG_END_BEFORE_START, OrgLifeErrorCode.END_BEFORE_START, "ended_on")
    if last_visit is not None and ended_on < last_visit:
        raise invalid(MSG_END_BEFORE_VISIT, OrgLifeErrorCode.END_BEFORE_VISIT, "ended_on")
    reason = validators.text(reason, field="reason", max_length=REASON_MAX, required=True)
    return ended_on, reason


@transaction.atomic
def contact_point_end(
    *, actor, point: ContactPoint, ended_on: datetime.date, reason: str
) -> ContactPoint:
    """End a contact point (the official moved on, the org merged…) with a date and a
    reason. The row stays with its visits and problems; no visit is recorded after."""
    locked = access.get_point_for_update(actor, point.pk)
    if locked.ended_on is not None:
        raise conflict(MSG_POINT_ENDED, OrgLifeErrorCode.POINT_ENDED, "point")
    last = locked.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
    locked.ended_on, locked.end_reason = _end_facts(locked.started_on, last, ended_on, reason)
    locked.save(update_fields=["ended_on", "end_reason"])
    audit_update(
        actor,
        locked,
        {"ended_on": {"old": None, "new": locked.ended_on}, "end_reason": locked.end_reason},
    )
    return locked


@transaction.atomic
def contact_visit_record(
    *,
    actor,
    point: ContactPoint,
    visited_on: datetime.date,
    notes: str = "",
    problems: Sequence[str] = (),
) -> ContactVisit:
    """A visit to the contact point, with the problems found there (each tracked)."""
    locked = access.get_point_for_update(actor, point.pk)
    if locked.ended_on is not None:
        raise conflict(MSG_POINT_ENDED, OrgLifeErrorCode.POINT_ENDED, "point")
    visit = ContactVisit(
        point=locked,
        visited_on=validators.past_date(visited_on, field="visited_on"),
        notes=validators.text(notes, field="notes", max_length=LONG_TEXT_MAX, multiline=True),
        recorded_by=stored_actor(actor),
    )
    texts = [
        validators.text(p, field="problems", max_length=TEXT_MAX, multiline=True) for p in problems
    ]
    visit.save()
    for body in texts:
        if body:
            problem = ContactProblem.objects.create(point=locked, visit=visit, text=body)
            audit_create(actor, problem, {"point": locked.pk, "visit": visit.pk})
    audit_create(actor, visit, {"point": locked.pk, "problems": sum(1 for t in texts if t)})
    return visit


@transaction.atomic
def problem_assign(
    *, actor, problem: ContactProblem, owner_name: str, deadline: datetime.date | None
) -> ContactProblem:
    """The problem becomes a task: an owner and a deadline."""
    locked = access.get_problem_for_update(actor, problem.pk)
    if locked.status == ContactProblem.Status.RESOLVED:
        raise conflict(MSG_PROBLEM_RESOLVED, OrgLifeErrorCode.PROBLEM_RESOLVED, "status")
    owner = validators.text(owner_name, field="owner_name", max_length=OWNER_MAX)
    if not owner:
        raise invalid(MSG_TASK_OWNER, OrgLifeErrorCode.TASK_OWNER, "owner_name")
    if not isinstance(deadline, datetime.date):
        raise invalid(MSG_DATE_REQUIRED, OrgLifeErrorCode.DATE_REQUIRED, "deadline")
    before = {"owner_name": locked.owner_name, "deadline": locked.deadline}
    locked.owner_name, locked.deadline = owner, deadline
    locked.save(update_fields=["owner_name", "deadline"])
    audit_update(
        actor,
        locked,
        {
            "owner_name": {"old": before["owner_name"], "new": owner},
            "deadline": {"old": before["deadline"], "new": deadline},
        },
    )
    return locked


@transaction.atomic
def problem_resolve(
    *, actor, problem: ContactProblem, resolution: str, resolved_on: datetime.date | None = None
) -> ContactProblem:
    locked = access.get_problem_for_update(actor, problem.pk)
    if locked.status == ContactProblem.Status.RESOLVED:
        raise conflict(MSG_PROBLEM_RESOLVED, OrgLifeErrorCode.PROBLEM_RESOLVED, "status")
    locked.resolution = validators.text(
        resolution, field="resolution", max_length=TEXT_MAX, required=True, multiline=True
    )
    locked.resolved_on = validators.past_date(
        resolved_on or timezone.localdate(), field="resolved_on"
    )
    locked.status = ContactProblem.Status.RESOLVED
    locked.save(update_fields=["resolution", "resolved_on", "status"])
    audit_update(actor, locked, {"status": {"old": "open", "new": "resolved"}})
    return locked


def _appeal_from_text(*, actor, area: Area, category, text: str):
    from jiceng.appeals.models import Appeal
    from jiceng.appeals.services import Intake, appeal_intake

    appeal, _created = appeal_intake(
        actor=actor,
        intake=Intake(channel=Appeal.Channel.GRID, category=category, area=area, description=text),
    )
    return appeal


@transaction.atomic
def problem_to_appeal(*, actor, problem: ContactProblem, category) -> ContactProblem:
    """Hand the problem to the appeals workflow (接诉即办), carrying its text; the problem
    stays open until the appeal's outcome is recorded here."""
    locked = access.get_problem_for_update(actor, problem.pk)
    if locked.status == ContactProblem.Status.RESOLVED:
        raise conflict(MSG_PROBLEM_RESOLVED, OrgLifeErrorCode.PROBLEM_RESOLVED, "status")
    if locked.appeal_id:
        raise conflict(MSG_ALREADY_FORWARDED, OrgLifeErrorCode.ALREADY_FORWARDED, "appeal")
    locked.appeal = _appeal_from_text(
        actor=actor, area=locked.point.org.area, category=category, text=locked.text
    )
    locked.save(update_fields=["appeal"])
    audit_update(actor, locked, {"appeal": locked.appeal_id})
    return locked


# ---- household links and visits -------------------------------------------------------------


@transaction.atomic
def household_link_create(
    *, actor, member: Member, grid: Area, household: str, started_on: datetime.date
) -> HouseholdLink:
    if grid.level not in GRID_LEVELS:
        raise invalid(MSG_GRID_REQUIRED, OrgLifeErrorCode.GRID_REQUIRED, "grid")
    require_manage_area(actor, grid)
    household = validators.text(
        household, field="household", max_length=HOUSEHOLD_MAX, required=True
    )
    if HouseholdLink.objects.filter(
        member=member, grid=grid, household=household, ended_on__isnull=True
    ).exists():
        raise conflict(MSG_LINK_EXISTS, OrgLifeErrorCode.LINK_EXISTS, "household")
    link = HouseholdLink.objects.create(
        member=member,
        grid=grid,
        household=household,
        started_on=validators.past_date(started_on, field="started_on"),
    )
    audit_create(actor, link, {"member": member.pk, "grid": grid.pk})
    return link


@transaction.atomic
def household_link_end(
    *, actor, link: HouseholdLink, ended_on: datetime.date, reason: str
) -> HouseholdLink:
    """End a household link (the family moved, the member left the grid…) with a date and
    a reason. The row stays with its visits; the household may be linked again."""
    locked = access.get_link_for_update(actor, link.pk)
    if locked.ended_on is not None:
        raise conflict(MSG_LINK_ENDED, OrgLifeErrorCode.LINK_ENDED, "link")
    last = locked.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
    locked.ended_on, locked.end_reason = _end_facts(locked.started_on, last, ended_on, reason)
    locked.save(update_fields=["ended_on", "end_reason"])
    audit_update(
        actor,
        locked,
        {"ended_on": {"old": None, "new": locked.ended_on}, "end_reason": locked.end_reason},
    )
    return locked


@transaction.atomic
def household_visit_record(
    *, actor, link: HouseholdLink, visited_on: datetime.date, raised: str = ""
) -> HouseholdVisit:
    """A visit: the date, the household (the link's), what was raised."""
    locked = access.get_link_for_visit(actor, link.pk)
    if locked.ended_on is not None:
        raise conflict(MSG_LINK_ENDED, OrgLifeErrorCode.LINK_ENDED, "link")
    visit = HouseholdVisit.objects.create(
        link=locked,
        visited_on=validators.past_date(visited_on, field="visited_on"),
        raised=validators.text(raised, field="raised", max_length=TEXT_MAX, multiline=True),
        recorded_by=stored_actor(actor),
    )
    audit_create(actor, visit, {"link": locked.pk})
    return visit


def _forwardable(actor, visit: HouseholdVisit) -> HouseholdVisit:
    locked = access.get_visit_for_forward(actor, visit.pk)
    if locked.forwarded:
        raise conflict(MSG_ALREADY_FORWARDED, OrgLifeErrorCode.ALREADY_FORWARDED, "visit")
    if not locked.raised:
        raise invalid(MSG_NOTHING_RAISED, OrgLifeErrorCode.NOTHING_RAISED, "raised")
    return locked


@transaction.atomic
def visit_to_appeal(*, actor, visit: HouseholdVisit, category) -> HouseholdVisit:
    locked = _forwardable(actor, visit)
    locked.appeal = _appeal_from_text(
        actor=actor, area=locked.link.grid, category=category, text=locked.raised
    )
    locked.save(update_fields=["appeal"])
    audit_update(actor, locked, {"appeal": locked.appeal_id})
    return locked


@transaction.atomic
def visit_to_need(*, actor, visit: HouseholdVisit, category: str) -> HouseholdVisit:
    from jiceng.cobuild.services import NeedFacts, need_create

    locked = _forwardable(actor, visit)
    today = timezone.localdate()
    locked.need = need_create(
        actor=actor,
        facts=NeedFacts(
            title=locked.raised.replace("\n", " ")[:100],
            category=category,
            community=community_of(locked.link.grid),
            window_start=today,
            window_end=today + datetime.timedelta(days=30),
            description=locked.raised,
            place=locked.link.grid.name,
        ),
    )
    locked.save(update_fields=["need"])
    audit_update(actor, locked, {"need": locked.need_id})
    return locked


@transaction.atomic
def visit_to_issue(*, actor, visit: HouseholdVisit) -> HouseholdVisit:
    locked = _forwardable(actor, visit)
    locked.issue = issue_create(
        actor=actor,
        community=community_of(locked.link.grid),
        text=locked.raised,
        source=Issue.Source.VISIT,
    )
    locked.save(update_fields=["issue"])
    audit_update(actor, locked, {"issue": locked.issue_id})
    return locked

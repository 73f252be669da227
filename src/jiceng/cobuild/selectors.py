"""Every read of regional co-building; already scoped through core.scope, with the joins
each list needs done here (no N+1 in pages or the API)."""

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jiceng.cobuild.models import (
    Agreement,
    AgreementReview,
    Booking,
    Commitment,
    JointMeeting,
    MatchProposal,
    MatchRun,
    MeetingTask,
    Need,
    Project,
    ProjectEvent,
    Resource,
    Room,
    Venue,
)
from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.orgs.models import BigCommittee, PartyOrg, Unit

# ---- the three lists ------------------------------------------------------------------------


def need_list(
    *,
    viewer,
    area: Area | None = None,
    status: str | None = None,
    category: str | None = None,
) -> QuerySet[Need]:
    needs = scope_for(viewer).filter(Need.objects.select_related("community"))
    if area is not None:
        needs = needs.filter(community__path__startswith=area.path)
    if status:
        needs = needs.filter(status=status)
    if category:
        needs = needs.filter(category=category)
    return needs.order_by("-created_at", "-id")


def need_history(*, viewer, need: Need) -> list:
    """The need's early history: the events of the appeal it was converted from (a
    resident's case and how it was handled), oldest first; empty for other needs."""
    if need.appeal_id is None or not scope_for(viewer).contains(need):
        return []
    from jiceng.appeals.models import AppealEvent

    return list(
        AppealEvent.objects.filter(appeal_id=need.appeal_id)
        .select_related("actor")
        .order_by("at", "id")
    )


def resource_list(
    *,
    viewer,
    area: Area | None = None,
    category: str | None = None,
    org: PartyOrg | None = None,
    active: bool | None = True,
) -> QuerySet[Resource]:
    """Resources in scope, each annotated with `used` (active projects it serves)."""
    resources = scope_for(viewer).filter(
        Resource.objects.select_related(
            "area", "offered_by_org", "dual_report", "dual_report__member"
        )
    )
    if area is not None:
        resources = resources.filter(area__path__startswith=area.path)
    if category:
        resources = resources.filter(category=category)
    if org is not None:
        resources = resources.filter(offered_by_org=org)
    if active is not None:
        resources = resources.filter(is_active=active)
    return resources.annotate(
        used=Count(
            "project_links", filter=Q(project_links__project__state__in=Project.ACTIVE_STATES)
        )
    ).order_by("-created_at", "-id")


def project_list(
    *, viewer, area: Area | None = None, state: str | None = None
) -> QuerySet[Project]:
    projects = scope_for(viewer).filter(
        Project.objects.select_related("need", "need__community", "provider_org", "owner")
    )
    if area is not None:
        projects = projects.filter(need__community__path__startswith=area.path)
    if state:
        projects = projects.filter(state=state)
    return projects.prefetch_related("resources").order_by("-created_at", "-id")


def project_events(*, viewer, project: Project) -> QuerySet[ProjectEvent]:
    return scope_for(viewer).filter(
        ProjectEvent.objects.filter(project=project).select_related("actor").order_by("at", "id")
    )


# ---- matching -------------------------------------------------------------------------------


def match_run_list(*, viewer, area: Area | None = None) -> QuerySet[MatchRun]:
    runs = scope_for(viewer).filter(MatchRun.objects.select_related("area", "created_by"))
    if area is not None:
        runs = runs.filter(area__path__startswith=area.path)
    return runs.order_by("-created_at", "-id")


def proposal_list(
    *,
    viewer,
    run: MatchRun | None = None,
    area: Area | None = None,
    state: str | None = None,
) -> QuerySet[MatchProposal]:
    """Proposals the viewer sees, of one run or of all: street staff see all of their
    street's, a community those for its own needs (it does not see the street's run)."""
    proposals = scope_for(viewer).filter(
        MatchProposal.objects.select_related(
            "run", "need", "need__community", "resource", "resource__area", "project"
        )
    )
    if run is not None:
        proposals = proposals.filter(run=run)
    if area is not None:
        proposals = proposals.filter(need__community__path__startswith=area.path)
    if state:
        proposals = proposals.filter(state=state)
    return proposals.order_by("-run_id", "id")


# ---- agreements -----------------------------------------------------------------------------


def agreement_list(
    *, viewer, area: Area | None = None, unit: Unit | None = None, live: bool | None = None
) -> QuerySet[Agreement]:
    agreements = scope_for(viewer).filter(Agreement.objects.select_related("community", "unit"))
    if area is not None:
        agreements = agreements.filter(community__path__startswith=area.path)
    if unit is not None:
        agreements = agreements.filter(unit=unit)
    if live is not None:
        agreements = agreements.filter(ended_on__isnull=live)
    return agreements.prefetch_related("commitments", "reviews").order_by("-signed_on", "-id")


def commitment_list(*, viewer, agreement: Agreement) -> QuerySet[Commitment]:
    return scope_for(viewer).filter(Commitment.objects.filter(agreement=agreement))


def review_list(*, viewer, agreement: Agreement) -> QuerySet[AgreementReview]:
    return scope_for(viewer).filter(
        AgreementReview.objects.filter(agreement=agreement).select_related("reviewed_by")
    )


# ---- joint meetings -------------------------------------------------------------------------


def meeting_list(
    *, viewer, area: Area | None = None, committee: BigCommittee | None = None
) -> QuerySet[JointMeeting]:
    meetings = scope_for(viewer).filter(
        JointMeeting.objects.select_related("committee", "committee__area")
    )
    if area is not None:
        meetings = meetings.filter(committee__area__path__startswith=area.path)
    if committee is not None:
        meetings = meetings.filter(committee=committee)
    return meetings.annotate(
        attendee_count=Count("attendance", distinct=True),
        open_tasks=Count("tasks", filter=Q(tasks__status=MeetingTask.Status.OPEN), distinct=True),
    ).order_by("-held_on", "-id")


def task_list(
    *,
    viewer,
    area: Area | None = None,
    meeting: JointMeeting | None = None,
    status: str | None = None,
) -> QuerySet[MeetingTask]:
    tasks = scope_for(viewer).filter(
        MeetingTask.objects.select_related(
            "meeting", "meeting__committee", "meeting__committee__area", "owner_member"
        )
    )
    if area is not None:
        tasks = tasks.filter(meeting__committee__area__path__startswith=area.path)
    if meeting is not None:
        tasks = tasks.filter(meeting=meeting)
    if status:
        tasks = tasks.filter(status=status)
    return tasks.order_by("deadline", "id")


def overdue_tasks(
    *, viewer, area: Area | None = None, today: datetime.date | None = None
) -> QuerySet[MeetingTask]:
    """Decisions still open after their deadline, the oldest deadline first."""
    today = today or timezone.localdate()
    return task_list(viewer=viewer, area=area, status=MeetingTask.Status.OPEN).filter(
        deadline__lt=today
    )


# ---- venues ---------------------------------------------------------------------------------


def venue_list(
    *, viewer, area: Area | None = None, kind: str | None = None, open_only: bool = True
) -> QuerySet[Venue]:
    venues = scope_for(viewer).filter(Venue.objects.select_related("area", "unit"))
    if area is not None:
        venues = venues.filter(area__path__startswith=area.path)
    if kind:
        venues = venues.filter(kind=kind)
    if open_only:
        venues = venues.filter(closed_on__isnull=True)
    return venues.prefetch_related("rooms").order_by("area__path", "name")


def booking_list(
    *,
    viewer,
    room: Room | None = None,
    venue: Venue | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Booking]:
    """Bookings in scope, optionally those touching [start, end)."""
    bookings = scope_for(viewer).filter(
        Booking.objects.select_related("room", "room__venue", "booked_by")
    )
    if room is not None:
        bookings = bookings.filter(room=room)
    if venue is not None:
        bookings = bookings.filter(room__venue=venue)
    if start is not None:
        bookings = bookings.filter(ends_at__gt=start)
    if end is not None:
        bookings = bookings.filter(starts_at__lt=end)
    if not include_cancelled:
        bookings = bookings.filter(cancelled_at__isnull=True)
    return bookings.order_by("starts_at", "id")


def service_centre_min_floor_area() -> Decimal:
    """The ≥1000 m² rule per community; a deployment may set another figure with the
    COBUILD_SERVICE_CENTRE_MIN_FLOOR_AREA setting."""
    return Decimal(str(getattr(settings, "COBUILD_SERVICE_CENTRE_MIN_FLOOR_AREA", 1000)))


@dataclass(frozen=True)
class FloorAreaCheck:
    community: Area
    floor_area: Decimal  # open service centres in the community, m²
    required: Decimal

    @property
    def ok(self) -> bool:
        return self.floor_area >= self.required

    @property
    def shortfall(self) -> Decimal:
        return max(self.required - self.floor_area, Decimal("0"))


def _centre_totals(venues) -> dict[str, Decimal]:
    """{community code: floor area} of the service centres, each summed into the
    community its area lies in."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for path, floor_area in venues.values_list("area__path", "floor_area"):
        codes = [code for code in path.split("/") if code]
        if len(codes) >= 4:  # a street's own centre counts for no single community
            totals[codes[3]] += floor_area
    return totals


def service_centre_floor_area(*, viewer, area: Area | None = None) -> list[FloorAreaCheck]:
    """Each visible community under `area` with the floor area of its open party–mass
    service centres against the rule. Two queries whatever the number of communities."""
    scope = scope_for(viewer)
    communities = scope.filter(Area.objects.filter(level=Area.Level.COMMUNITY))
    venues = scope.filter(
        Venue.objects.filter(kind=Venue.Kind.SERVICE_CENTRE, closed_on__isnull=True)
    )
    if area is not None:
        communities = communities.filter(path__startswith=area.path)
        venues = venues.filter(area__path__startswith=area.path)
    totals = _centre_totals(venues)
    required = service_centre_min_floor_area()
    return [
        FloorAreaCheck(community=c, floor_area=totals.get(c.code, Decimal("0")), required=required)
        for c in communities.order_by("path")
    ]


@dataclass(frozen=True)
class FloorAreaByChild:
    """A district's or a street's communities, and how many of them meet the rule."""

    area: Area
    communities: int
    meeting: int

    @property
    def short(self) -> int:
        return self.communities - self.meeting


# Above a street a list of its communities runs to thousands (6,500 in the city): the
# page counts them per child instead, and lists them once drilled down to a street.
BY_CHILD_LEVELS = (Area.Level.CITY, Area.Level.DISTRICT)


def service_centre_floor_area_by_child(*, viewer, area: Area) -> list[FloorAreaByChild]:
    """Per visible child of a city or a district: its visible communities and how many
    of them have service centres of at least the required floor area. Three queries:
    the children, the communities' paths and the centres' areas."""
    scope = scope_for(viewer)
    depth = len([code for code in area.path.split("/") if code])
    communities = scope.filter(
        Area.objects.filter(level=Area.Level.COMMUNITY, path__startswith=area.path)
    ).values_list("path", flat=True)
    venues = scope.filter(
        Venue.objects.filter(
            kind=Venue.Kind.SERVICE_CENTRE,
            closed_on__isnull=True,
            area__path__startswith=area.path,
        )
    )
    totals = _centre_totals(venues)
    required = service_centre_min_floor_area()
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # child code → [n, meeting]
    for path in communities:
        codes = [code for code in path.split("/") if code]
        child = counted[codes[depth]]
        child[0] += 1
        child[1] += totals.get(codes[3], Decimal("0")) >= required
    children = scope.filter(Area.objects.filter(parent=area)).order_by("path")
    return [
        FloorAreaByChild(
            area=child, communities=counted[child.code][0], meeting=counted[child.code][1]
        )
        for child in children
        if child.code in counted
    ]


@dataclass(frozen=True)
class VenueUsage:
    venue_id: int
    venue_name: str
    month: datetime.date  # first day of the month, Asia/Shanghai
    bookings: int
    hours: Decimal


def venue_usage(
    *,
    viewer,
    area: Area | None = None,
    venue: Venue | None = None,
    year: int | None = None,
) -> list[VenueUsage]:
    """Per venue and month (local time): live bookings and booked hours. One query."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    bookings = scope_for(viewer).filter(Booking.objects.filter(cancelled_at__isnull=True))
    if area is not None:
        bookings = bookings.filter(room__venue__area__path__startswith=area.path)
    if venue is not None:
        bookings = bookings.filter(room__venue=venue)
    if year is not None:
        start = datetime.datetime(year, 1, 1, tzinfo=tz)
        bookings = bookings.filter(starts_at__gte=start, starts_at__lt=start.replace(year=year + 1))
    rows = (
        bookings.annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .values("room__venue_id", "room__venue__name", "month")
        .annotate(
            count=Count("id"),
            duration=Sum(
                ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
            ),
        )
        .order_by("room__venue__name", "room__venue_id", "month")
    )
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month, tz).date()
        seconds = row["duration"].total_seconds() if row["duration"] else 0
        result.append(
            VenueUsage(
                venue_id=row["room__venue_id"],
                venue_name=row["room__venue__name"],
                month=month,
                bookings=row["count"],
                hours=(Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1")),
            )
        )
    return result


# ---- choices and lookups for the pages ------------------------------------------------------


def matching_areas(*, viewer, limit: int = 300) -> list[Area]:
    """Streets and districts where the viewer may run matching."""
    from jiceng.cobuild.access import can_run_matching

    areas = scope_for(viewer).filter(
        Area.objects.filter(level__in=[Area.Level.STREET, Area.Level.DISTRICT])
    )
    return [a for a in areas.order_by("path")[:limit] if can_run_matching(viewer, a)]


def committees_in_sight(*, viewer) -> QuerySet[BigCommittee]:
    """Big committees the viewer sees, in the tree's order; the meeting form's picker
    ("joint-committees") offers those the viewer may call a meeting of."""
    return (
        scope_for(viewer)
        .filter(BigCommittee.objects.select_related("area", "org"))
        .order_by("area__path", "id")
    )


def committee_members(committee: BigCommittee) -> list:
    """The committee's part-time members (the meeting page's attendance list)."""
    from jiceng.orgs.models import PartTimeMember

    return list(
        PartTimeMember.objects.filter(committee=committee)
        .select_related("unit")
        .order_by("name", "id")
    )


def community_named(area_id: int) -> Area | None:
    """A community anywhere in the city, by id: a resident names where they live."""
    return Area.objects.filter(pk=area_id, level=Area.Level.COMMUNITY).first()


def districts() -> QuerySet[Area]:
    """The city's districts, the first select of the resident's place picker (public)."""
    return Area.objects.filter(level=Area.Level.DISTRICT).order_by("code")


def place_children(*, parent_id: int | None, level: str) -> QuerySet[Area]:
    """The next select of the resident's place picker (public: names only)."""
    if parent_id is None:
        return Area.objects.none()
    return Area.objects.filter(parent_id=parent_id, level=level).order_by("code")


def resources_by_ids(ids) -> list[Resource]:
    """Resources a form's validated choices name, in id order."""
    return list(Resource.objects.filter(pk__in=ids).order_by("pk"))


def resource_by_id(resource_id: int) -> Resource:
    return Resource.objects.get(pk=resource_id)


def need_for_appeal(appeal) -> Need | None:
    return Need.objects.filter(appeal=appeal).first()


def open_member_reports(*, viewer):
    """Open in-service members' dual reports the viewer sees (who may offer a resource),
    by community and name; not cut, as the resource form's picker reads it a few at a time."""
    from jiceng.members.models import DualReport

    return scope_for(viewer).filter(
        DualReport.objects.filter(kind=DualReport.Kind.MEMBER, ended_on__isnull=True)
        .select_related("community", "member", "member__org", "member__org__area")
        .order_by("community__path", "member__name", "id")
    )


def project_stage_counts(
    *, viewer, area: Area, child_code_length: int | None = None
) -> dict[str, dict[str, int]]:
    """Projects in scope under an area by stage (state), one grouped query:
    {child code: {state: n}} with the child's code read off the need's community path,
    or {"": {state: n}} for the area as a whole when no length is given."""
    from django.db.models.functions import Substr

    projects = project_list(viewer=viewer, area=area).order_by()
    if child_code_length is None:
        rows = projects.values("state").annotate(n=Count("id"))
        return {"": {r["state"]: r["n"] for r in rows}}
    rows = (
        projects.annotate(
            child_code=Substr("need__community__path", len(area.path) + 1, child_code_length)
        )
        .values("child_code", "state")
        .annotate(n=Count("id"))
    )
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        result[r["child_code"]][r["state"]] = r["n"]
    return dict(result)

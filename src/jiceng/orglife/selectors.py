"""Every read of organizational life a person sees, already scoped by core.scope, each
doing its own select_related; and the org register on a day, which attendance is taken
from."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.members.models import Member, Membership
from jiceng.orglife import compliance, rollup
from jiceng.orglife.models import (
    Attendance,
    ComplianceTreeStat,
    ComplianceYear,
    ContactPoint,
    ContactProblem,
    HouseholdLink,
    HouseholdVisit,
    Issue,
    Meeting,
    MeetingAttachment,
    MeetingEvent,
    MeetingRequirement,
    MeetingTask,
    Step,
    Topic,
)
from jiceng.orgs.models import PartyOrg

# ---- the register -----------------------------------------------------------------------


def register_org(org: PartyOrg) -> PartyOrg:
    """The org whose members make up `org`'s register: a party group keeps no members of
    its own (they are registered in its branch), so its meetings draw on the branch."""
    if org.kind == PartyOrg.Kind.GROUP and org.parent_id:
        return org.parent
    return org


def register_on(org: PartyOrg, day: datetime.date) -> list[Member]:
    """The members belonging to the org on `day`, from their membership stretches. A
    stretch opened by registration in the platform records a member already there, so it
    counts from before the platform knew them; a transfer counts from its acceptance."""
    source = register_org(org)
    stretches = Membership.objects.filter(org=source).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day)
    )
    stretches = stretches.filter(Q(started_on__lte=day) | Q(reason=Membership.Reason.REGISTERED))
    # Nobody was on a register before joining the party.
    members = Member.objects.filter(pk__in=stretches.values("member_id"), joined_on__lte=day)
    # What an attendance list shows and counts; the encrypted personal columns stay unread.
    members = members.only("id", "name", "status", "category", "joined_on", "org_id")
    return list(members.order_by("name", "id"))


# ---- meetings --------------------------------------------------------------------------------


def meeting_list(
    *,
    viewer,
    org: PartyOrg | None = None,
    area: Area | None = None,
    kind: str | None = None,
    year: int | None = None,
) -> QuerySet[Meeting]:
    qs = scope_for(viewer).filter(Meeting.objects.select_related("org", "venue"))
    if org is not None:
        qs = qs.filter(org=org)
    if area is not None:
        qs = qs.filter(org__area__path__startswith=area.path)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.order_by("-held_on", "-id")


def meeting_get(*, viewer, meeting_id) -> Meeting:
    return scope_for(viewer).get(
        Meeting.objects.select_related("org", "org__area", "venue").prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("member")),
            Prefetch("events", queryset=MeetingEvent.objects.order_by("at", "id")),
            Prefetch("tasks", queryset=MeetingTask.objects.select_related("owner_member")),
            Prefetch("attachments", queryset=MeetingAttachment.objects.order_by("id")),
        ),
        pk=meeting_id,
    )


def attachment_get(*, viewer, attachment_id) -> MeetingAttachment:
    return scope_for(viewer).get(
        MeetingAttachment.objects.select_related("meeting"), pk=attachment_id
    )


def task_list(
    *, viewer, area: Area | None = None, status: str | None = None
) -> QuerySet[MeetingTask]:
    qs = scope_for(viewer).filter(
        MeetingTask.objects.select_related("meeting", "meeting__org", "owner_member")
    )
    if area is not None:
        qs = qs.filter(meeting__org__area__path__startswith=area.path)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("deadline", "id")


def requirements() -> list[MeetingRequirement]:
    return list(MeetingRequirement.objects.order_by("kind"))


def _facts(meetings) -> list[compliance.MeetingFact]:
    return [
        compliance.MeetingFact(kind=k, held_on=d, register_count=r, attended_count=a)
        for k, d, r, a in meetings
    ]


def org_compliance(
    *,
    viewer,
    org: PartyOrg,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> compliance.OrgCompliance:
    rows = meeting_list(viewer=viewer, org=org).filter(held_on__range=(start, end))
    facts = _facts(rows.values_list("kind", "held_on", "register_count", "attended_count"))
    return compliance.compute(
        org,
        requirements(),
        facts,
        start=start,
        end=end,
        today=today or datetime.date.today(),
    )


@dataclass
class ComplianceCounts:
    """How many orgs under an area are due to hold organizational life in the year and
    how many are behind, in total and per child area (by code)."""

    orgs: int = 0
    behind: int = 0
    children: dict[str, list[int]] = field(default_factory=dict)  # code → [orgs, behind]


def _compliance_sources(viewer, area: Area, year: int):
    """The orgs under `area` the viewer sees that some requirement applies to in `year`,
    their fresh rollup rows, and the orgs without one (computed from their meetings)."""
    required = requirements()
    key = rollup.requirements_key(required)
    orgs = (
        scope_for(viewer)
        .filter(PartyOrg.objects.all())
        .filter(rollup.orgs_in_year(year, required), area__path__startswith=area.path)
    )
    # The area condition is repeated on the rows so the database starts from the area's
    # orgs (the (org, year) index) rather than from every row of the year in the city.
    rows = ComplianceYear.objects.filter(year=year, org__area__path__startswith=area.path).filter(
        rollup.fresh(key)
    )
    if area.parent_id is None and scope_for(viewer).covers_subtree(PartyOrg, area.path):
        # The whole city, all of it the viewer's: which orgs count in the year is read
        # off the fresh rows' own copies of their org's kind and dates, instead of a
        # second pass over the orgs for each row (150 → 60 ms). Below the city the pass
        # over the area's orgs is what narrows the rows (a district: 25 ms with it, 65
        # without).
        rows = rows.filter(rollup.orgs_in_year(year, required, kind="org_kind"))
    else:
        rows = rows.filter(org_id__in=orgs.values("pk"))
    return required, key, orgs, rows


def _computed(required, orgs: list[PartyOrg], year: int, key: str) -> list[ComplianceYear]:
    facts = rollup.meeting_facts([o.pk for o in orgs], year)
    return [rollup.compute_row(o, year, required, facts[o.pk], key) for o in orgs]


def area_compliance(
    *,
    viewer,
    area: Area,
    year: int,
    today: datetime.date | None = None,
    only_behind: bool = False,
) -> list[rollup.Line]:
    """Each org under `area` (seen by the viewer, some requirement applying to it in the
    year) with its compliance as of `today`, read from the yearly rollup rows: one row
    per org, never the meetings. An org whose row is missing or stale (its kind or dates
    changed since) is computed from its meetings instead, so the answer is always that
    of `compliance.compute`."""
    when = today or timezone.localdate()
    required, key, orgs, rows = _compliance_sources(viewer, area, year)
    shown = rows.select_related("org", "org__area")
    if only_behind:
        shown = shown.filter(first_gap__lt=when)
    lines = [rollup.line(row.org, row, when) for row in shown]
    stale = list(orgs.exclude(pk__in=rows.values("org_id")).select_related("area"))
    for row in _computed(required, stale, year, key):
        found = rollup.line(row.org, row, when)
        if found.behind or not only_behind:
            lines.append(found)
    lines.sort(key=lambda item: item.org.path)
    return lines


def compliance_counts(
    *, viewer, area: Area, year: int, today: datetime.date | None = None
) -> ComplianceCounts:
    """How many orgs under `area` are due and how many behind, per child area too: two
    grouped queries over the rollup rows and the orgs, whatever their number."""
    from jiceng.dashboard.registry import child_code_length
    from jiceng.dashboard.selectors import group_by_child

    when = today or timezone.localdate()
    length = child_code_length(area)
    required = requirements()
    key = rollup.requirements_key(required)
    if rollup.complete(year, key) and scope_for(viewer).covers_subtree(PartyOrg, area.path):
        return _counts_from_tree(area, year, required, key, when, length)
    required, key, orgs, rows = _compliance_sources(viewer, area, year)
    counts = ComplianceCounts()
    for code, n in group_by_child(orgs, "area__path", area, length).items():
        counts.orgs += n
        counts.children.setdefault(code, [0, 0])[0] += n
    fresh = 0
    grouped = (
        rows.annotate(child_code=Substr("org__area__path", len(area.path) + 1, length))
        .values("child_code")
        .annotate(n=Count("id"), behind=Count("id", filter=Q(first_gap__lt=when)))
        .order_by()
    )
    for group in grouped:
        fresh += group["n"]
        counts.behind += group["behind"]
        counts.children.setdefault(group["child_code"], [0, 0])[1] += group["behind"]
    if fresh == counts.orgs:
        return counts  # every org has its row: none to compute from its meetings
    stale = list(orgs.exclude(pk__in=rows.values("org_id")).select_related("area"))
    for row in _computed(required, stale, year, key):
        if rollup.line(row.org, row, when).behind:
            code = row.org.area.path[len(area.path) : len(area.path) + length]
            counts.behind += 1
            counts.children.setdefault(code, [0, 0])[1] += 1
    return counts


def _counts_from_tree(area: Area, year: int, required, key: str, when, length: int):
    """The counts of a subtree the viewer sees whole, in a year whose tree is complete:
    the children's tree rows (a few per child: kinds × first gaps) and the rows of the
    orgs sitting at the area itself, in two grouped queries."""
    kinds = rollup.applicable_kinds(required)
    children = (
        ComplianceTreeStat.objects.filter(
            area__parent_id=area.pk, year=year, requirements_key=key, org_kind__in=kinds
        )
        .annotate(child_code=Substr("area__path", len(area.path) + 1, length))
        .values("child_code")
        .annotate(n=Sum("orgs"), behind=Sum("orgs", filter=Q(first_gap__lt=when)))
        .order_by()
    )
    own = (
        ComplianceYear.objects.filter(year=year, requirements_key=key, org__area_id=area.pk)
        .filter(rollup.orgs_in_year(year, required, kind="org_kind"))
        .aggregate(n=Count("id"), behind=Count("id", filter=Q(first_gap__lt=when)))
    )
    counts = ComplianceCounts()
    for code, n, behind in [
        *((g["child_code"], g["n"], g["behind"] or 0) for g in children),
        ("", own["n"], own["behind"]),
    ]:
        if n:
            counts.orgs += n
            counts.behind += behind
            child = counts.children.setdefault(code, [0, 0])
            child[0] += n
            child[1] += behind
    return counts


# ---- deliberation ------------------------------------------------------------------------


def topic_list(*, viewer, area: Area | None = None, state: str | None = None) -> QuerySet[Topic]:
    qs = scope_for(viewer).filter(Topic.objects.select_related("community", "org"))
    if area is not None:
        qs = qs.filter(community__path__startswith=area.path)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def topic_get(*, viewer, topic_id) -> Topic:
    return scope_for(viewer).get(
        Topic.objects.select_related("community", "org").prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("held_on", "id")),
            Prefetch("issues", queryset=Issue.objects.select_related("appeal")),
        ),
        pk=topic_id,
    )


AWAITING_DISCLOSURE = (Topic.State.DECIDED, Topic.State.RESOLUTION_DISCLOSED)


def topics_awaiting_disclosure(*, viewer, area: Area | None = None) -> QuerySet[Topic]:
    """Decided but not yet published, or published but without the result."""
    return topic_list(viewer=viewer, area=area).filter(state__in=AWAITING_DISCLOSURE)


def issue_list(*, viewer, area: Area | None = None, unassigned: bool = False) -> QuerySet[Issue]:
    qs = scope_for(viewer).filter(Issue.objects.select_related("community", "topic", "appeal"))
    if area is not None:
        qs = qs.filter(community__path__startswith=area.path)
    if unassigned:
        qs = qs.filter(topic__isnull=True)
    return qs.order_by("-created_at", "-id")


def public_topics(community: Area) -> QuerySet[Topic]:
    """What residents see without signing in: the community's topics once proposed. The
    public page shows titles, stages and published texts only."""
    return (
        Topic.objects.filter(community=community)
        .exclude(state=Topic.State.DRAFT)
        .only(
            "id",
            "title",
            "description",
            "state",
            "resolution",
            "resolution_published_on",
            "result",
            "result_published_on",
            "community_id",
            "created_at",
        )
        .order_by("-created_at", "-id")
    )


def public_communities() -> QuerySet[Area]:
    """Communities with at least one public topic."""
    shown = Topic.objects.exclude(state=Topic.State.DRAFT).values("community_id")
    return Area.objects.filter(level=Area.Level.COMMUNITY, pk__in=shown).order_by("path")


# ---- contact points and household links ---------------------------------------------------------


def contact_point_list(*, viewer, area: Area | None = None) -> QuerySet[ContactPoint]:
    qs = scope_for(viewer).filter(
        ContactPoint.objects.select_related("org", "org__area", "official_area").annotate(
            open_problems=Count(
                "problems", filter=Q(problems__status=ContactProblem.Status.OPEN), distinct=True
            ),
            visit_count=Count("visits", distinct=True),
        )
    )
    if area is not None:
        qs = qs.filter(
            Q(org__area__path__startswith=area.path) | Q(official_area__path__startswith=area.path)
        )
    return qs.order_by("org__area__path", "id")


def contact_point_get(*, viewer, point_id) -> ContactPoint:
    return scope_for(viewer).get(
        ContactPoint.objects.select_related("org", "official_area").prefetch_related(
            "visits", Prefetch("problems", queryset=ContactProblem.objects.select_related("appeal"))
        ),
        pk=point_id,
    )


def problem_list(
    *, viewer, area: Area | None = None, status: str | None = None
) -> QuerySet[ContactProblem]:
    qs = scope_for(viewer).filter(
        ContactProblem.objects.select_related("point", "point__org", "appeal")
    )
    if area is not None:
        qs = qs.filter(point__org__area__path__startswith=area.path)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def household_link_list(
    *, viewer, area: Area | None = None, ended: bool = False
) -> QuerySet[HouseholdLink]:
    """The current links, or (`ended`) those ended, latest first: ending keeps history."""
    qs = scope_for(viewer).filter(
        HouseholdLink.objects.select_related("member", "grid").filter(ended_on__isnull=not ended)
    )
    if area is not None:
        qs = qs.filter(grid__path__startswith=area.path)
    if ended:
        return qs.order_by("-ended_on", "-id")
    return qs.order_by("grid__path", "household", "id")


def visit_list(*, viewer, area: Area | None = None) -> QuerySet[HouseholdVisit]:
    qs = scope_for(viewer).filter(
        HouseholdVisit.objects.select_related("link", "link__member", "link__grid")
    )
    if area is not None:
        qs = qs.filter(link__grid__path__startswith=area.path)
    return qs.order_by("-visited_on", "-id")


def public_view(topic: Topic) -> dict:
    """A topic as the public page shows it: the resolution only once disclosed, the result
    only once its disclosure is recorded; never participants or the issues' texts."""
    resolved = topic.resolution_published_on is not None
    finished = topic.result_published_on is not None
    return {
        "id": topic.pk,
        "title": topic.title,
        "description": topic.description,
        "state": topic.state,
        "state_label": Topic.State(topic.state).label,
        "resolution": topic.resolution if resolved else "",
        "resolution_published_on": topic.resolution_published_on,
        "result": topic.result if finished else "",
        "result_published_on": topic.result_published_on,
    }


# ---- what the pages' forms offer, and single objects the pages and API look up ----------------


def open_orgs(
    *, viewer, under: Area | None = None, area_levels: tuple[str, ...] = (), limit: int = 300
) -> QuerySet[PartyOrg]:
    """Party orgs not closed that the viewer sees, by affiliation path."""
    return open_org_candidates(viewer=viewer, under=under, area_levels=area_levels)[:limit]


def open_org_candidates(
    *, viewer, under: Area | None = None, area_levels: tuple[str, ...] = ()
) -> QuerySet[PartyOrg]:
    """`open_orgs` uncut: a picker's candidates (orglife.pickers), which it shows the
    first of and searches."""
    qs = scope_for(viewer).filter(
        PartyOrg.objects.select_related("area").filter(closed_on__isnull=True)
    )
    if under is not None:
        qs = qs.filter(area__path__startswith=under.path)
    if area_levels:
        qs = qs.filter(area__level__in=area_levels)
    return qs.order_by("path")


def open_members(*, viewer) -> QuerySet[Member]:
    """Members of open orgs the viewer sees, with their org's name: a household link's
    member (the `household-members` picker). By id: an order by name sorted every
    member of the city (2 million rows, 780 ms) to show the first 500."""
    return (
        scope_for(viewer)
        .filter(Member.objects.filter(org__closed_on__isnull=True))
        .select_related("org")
        .only("id", "name", "org__name")
        .order_by("id")
    )


def venues_near(*, viewer, org: PartyOrg, limit: int = 100):
    """Open co-building venues in the org's district (a meeting's place)."""
    from jiceng.cobuild.models import Venue

    district = "/".join(org.area.path.split("/")[:2])
    return scope_for(viewer).filter(
        Venue.objects.filter(area__path__startswith=district, closed_on__isnull=True)
    )[:limit]


def appeal_categories() -> list[tuple[str, str]]:
    """Active appeal categories (code, name), for forwarding a problem or a visit."""
    from jiceng.appeals.models import Category

    rows = Category.objects.filter(is_active=True).order_by("sort", "code")
    return [(c.code, c.name) for c in rows]


def appeal_get(*, viewer, appeal_id):
    """An appeal the viewer sees, to turn into an issue."""
    from jiceng.appeals.models import Appeal

    return scope_for(viewer).get(Appeal.objects.select_related("area"), pk=appeal_id)


def issue_get(*, viewer, issue_id) -> Issue:
    return scope_for(viewer).get(Issue.objects.select_related("community"), pk=issue_id)


def household_link_get(*, viewer, link_id) -> HouseholdLink:
    return scope_for(viewer).get(HouseholdLink.objects.select_related("member", "grid"), pk=link_id)


def requirement_get(kind: str) -> MeetingRequirement | None:
    return MeetingRequirement.objects.filter(kind=kind).first()


def public_community(community_id) -> Area | None:
    """A community for its public disclosure page (no login)."""
    return Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY).first()


def compliance_home(*, viewer) -> Area | None:
    """The area the compliance page opens on: the viewer's top area, or the city."""
    scope = scope_for(viewer)
    roots = scope.area_roots()
    area = Area.objects.filter(path__in=roots).order_by("depth").first() if roots else None
    if area is None and scope.everything:
        area = Area.objects.filter(parent__isnull=True).first()
    return area

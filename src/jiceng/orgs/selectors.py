"""Every read of organizations, units, coverage, grids and committees; already scoped."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from jiceng.core.models import Area
from jiceng.core.pagination import Counted
from jiceng.core.scope import KIND_UNIT, scope_for
from jiceng.orgs import rollup
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit

COVERAGE_FILTERS = ("own", "joint", "uncovered", "must_form", "new_uncovered")


def org_list(
    *,
    viewer,
    area: Area | None = None,
    parent: PartyOrg | None = None,
    kind: str | None = None,
    include_closed: bool = False,
    q: str | None = None,
    domain: str | None = None,
) -> QuerySet[PartyOrg]:
    orgs = scope_for(viewer).filter(PartyOrg.objects.select_related("area", "parent"))
    if area is not None:
        orgs = orgs.filter(area__path__startswith=area.path)
    if parent is not None:
        orgs = orgs.filter(parent=parent)
    if kind:
        orgs = orgs.filter(kind=kind)
    if domain:
        orgs = orgs.filter(domain=domain)
    if not include_closed:
        orgs = orgs.filter(closed_on__isnull=True)
    if q:
        orgs = orgs.filter(name__icontains=q)
    return orgs.order_by("path")


def org_roots(*, viewer, area: Area | None = None) -> QuerySet[PartyOrg]:
    """The visible orgs whose parent is not visible: the tops of the viewer's org forest."""
    visible = org_list(viewer=viewer, area=area)
    return visible.exclude(parent__in=visible.values("pk")).annotate(
        open_children=Count("children", filter=Q(children__closed_on__isnull=True))
    )


def org_children(*, viewer, org: PartyOrg) -> QuerySet[PartyOrg]:
    return org_list(viewer=viewer, parent=org).annotate(
        open_children=Count("children", filter=Q(children__closed_on__isnull=True))
    )


def org_covered_units(*, viewer, org: PartyOrg, limit: int = 200) -> list[Unit]:
    """The units a joint org covers, as far as the viewer may see units at all."""
    scope = scope_for(viewer)
    if not scope.can_see_kind(KIND_UNIT):
        return []
    return list(scope.filter(org.covered_units.select_related("area"))[:limit])


def org_own_unit(*, viewer, org: PartyOrg) -> Unit | None:
    """The unit whose own org this is, if the viewer may see it."""
    return scope_for(viewer).filter(Unit.objects.filter(own_org=org)).first()


def new_unit_since(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.NEW_UNIT_DAYS)


def coverage_q(name: str, *, now: datetime.datetime | None = None) -> Q:
    """The condition for one coverage filter; names are COVERAGE_FILTERS."""
    if name in ("own", "joint", "uncovered", "must_form"):
        return rollup.unit_condition(name)
    if name == "new_uncovered":
        return coverage_q("uncovered") & Q(registered_at__gte=new_unit_since(now))
    raise ValueError(name)


def unit_list(
    *,
    viewer,
    area: Area | None = None,
    coverage: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> QuerySet[Unit]:
    units = (
        scope_for(viewer)
        .filter(Unit.objects.select_related("area", "own_org", "covering_org"))
        .filter(closed_on__isnull=True)
    )
    if area is not None:
        units = units.filter(area__path__startswith=area.path)
    if coverage:
        units = units.filter(coverage_q(coverage))
    if kind:
        units = units.filter(kind=kind)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(uscc__iexact=q.strip()))
    return units.order_by("name", "id")


@dataclass(frozen=True)
class CoverageSummary:
    total: int
    own: int
    joint: int
    uncovered: int
    must_form: int
    new_uncovered: int

    @property
    def covered(self) -> int:
        return self.own + self.joint

    @property
    def coverage_rate(self) -> float | None:
        """Share of units reached by a party organization (own or joint), 0..1."""
        return self.covered / self.total if self.total else None


def rollup_serves(viewer, model, area: Area | None) -> bool:
    """The rollup rows serve an area the viewer sees whole (as appeals.selectors.
    rollup_serves), once the rollup is built; otherwise the rows are counted."""
    return (
        area is not None and scope_for(viewer).covers_subtree(model, area.path) and rollup.built()
    )


def _new_uncovered(units: QuerySet[Unit], now: datetime.datetime | None) -> QuerySet[Unit]:
    # Registered in the last NEW_UNIT_DAYS: a few rows found through the registration
    # time's index, counted on every request because the window moves with the clock.
    return units.filter(coverage_q("new_uncovered", now=now))


def coverage_summary(
    *, viewer, area: Area | None = None, now: datetime.datetime | None = None
) -> CoverageSummary:
    """The coverage figures for the viewer's units, optionally under `area`: one query
    (two from the rollup: its rows, and the new uncovered units)."""
    units = unit_list(viewer=viewer, area=area)
    if area is not None and rollup_serves(viewer, Unit, area):
        totals = rollup.totals_under(area)
        return CoverageSummary(
            total=totals["units"],
            own=totals["own"],
            joint=totals["joint"],
            uncovered=totals["uncovered"],
            must_form=totals["must_form"],
            new_uncovered=_new_uncovered(units, now).count(),
        )
    counts = units.aggregate(
        total=Count("id"),
        own=Count("id", filter=coverage_q("own")),
        joint=Count("id", filter=coverage_q("joint")),
        uncovered=Count("id", filter=coverage_q("uncovered")),
        must_form=Count("id", filter=coverage_q("must_form")),
        new_uncovered=Count("id", filter=coverage_q("new_uncovered", now=now)),
    )
    return CoverageSummary(**counts)


COVERAGE_KEYS = ("total", "own", "joint", "uncovered", "must_form", "new_uncovered")


def coverage_by_child(*, viewer, area: Area, now: datetime.datetime | None = None) -> list[dict]:
    """Coverage figures for each child of `area`, for drill-down: one query for all (two
    from the rollup)."""
    from jiceng.core.selectors import area_children

    children = list(area_children(viewer=viewer, area=area))
    if not children:
        return []
    rows: dict[str, dict] = {
        c.code: {"area": c, **dict.fromkeys(COVERAGE_KEYS, 0)} for c in children
    }
    units = unit_list(viewer=viewer, area=area)
    length = len(children[0].code)
    if rollup_serves(viewer, Unit, area):
        for code, totals in rollup.totals_by_child(area, length).items():
            row = rows.get(code)
            if row is not None:
                row.update({key: totals[key] for key in COVERAGE_KEYS[1:-1]}, total=totals["units"])
        for code, n in _count_by_child(_new_uncovered(units, now), area, length).items():
            if code in rows:
                rows[code]["new_uncovered"] = n
        return list(rows.values())
    depth = area.depth + 1
    # The child a unit belongs to is the (depth+1)-th code of its area path.
    since = new_unit_since(now)
    for path, own_id, covering_id, members, registered in units.values_list(
        "area__path", "own_org_id", "covering_org_id", "formal_members", "registered_at"
    ).iterator(chunk_size=5000):
        code = path.split("/")[depth]
        row = rows.get(code)
        if row is None:
            continue
        row["total"] += 1
        if own_id:
            row["own"] += 1
        elif covering_id:
            row["joint"] += 1
        else:
            row["uncovered"] += 1
            if registered >= since:
                row["new_uncovered"] += 1
        if not own_id and members >= settings.OWN_ORG_MIN_MEMBERS:
            row["must_form"] += 1
    return list(rows.values())


def _count_by_child(queryset: QuerySet, area: Area, length: int) -> dict[str, int]:
    from jiceng.dashboard.selectors import group_by_child

    return group_by_child(queryset, "area__path", area, length)


UNIT_COUNTERS = {None: "units", "own": "own", "joint": "joint", "uncovered": "uncovered"}
UNIT_COUNTERS |= {"must_form": "must_form"}


def org_count(*, viewer, area: Area) -> int:
    """Open party orgs in scope under an area: from the rollup where it serves."""
    if rollup_serves(viewer, PartyOrg, area):
        return rollup.totals_under(area)["orgs"]
    return org_list(viewer=viewer, area=area).count()


def org_count_by_child(*, viewer, area: Area, length: int) -> dict[str, int]:
    if rollup_serves(viewer, PartyOrg, area):
        totals = rollup.totals_by_child(area, length)
        return {code: t["orgs"] for code, t in totals.items() if t["orgs"]}
    return _count_by_child(org_list(viewer=viewer, area=area), area, length)


def unit_register(
    *,
    viewer,
    area: Area | None,
    coverage: str | None = None,
    kind: str | None = None,
    q: str | None = None,
):
    """`unit_list` for the register's page, its total read from the coverage rollup
    where that counts the same units (no kind or search, no filter or one the rollup
    counts, an area or the viewer's one territory seen whole): counting the city's
    64,000 units for the page count took 35 ms. Otherwise the queryset."""
    units = unit_list(viewer=viewer, area=area, coverage=coverage, kind=kind, q=q)
    if kind or q or coverage not in UNIT_COUNTERS:
        return units
    if area is None:
        from jiceng.core.selectors import area_roots

        roots = area_roots(viewer=viewer)
        area = roots[0] if len(roots) == 1 else None
    if not rollup_serves(viewer, Unit, area):
        return units
    assert area is not None
    where, counter = area, UNIT_COUNTERS[coverage]
    return Counted(units, lambda: rollup.totals_under(where)[counter])


def unit_count(*, viewer, area: Area, coverage: str | None = None) -> int:
    """Open units in scope under an area (of one coverage filter, COVERAGE_FILTERS)."""
    if coverage in UNIT_COUNTERS and rollup_serves(viewer, Unit, area):
        return rollup.totals_under(area)[UNIT_COUNTERS[coverage]]
    units = unit_list(viewer=viewer, area=area)
    return units.filter(coverage_q(coverage)).count() if coverage else units.count()


def unit_count_by_child(
    *, viewer, area: Area, length: int, coverage: str | None = None
) -> dict[str, int]:
    if coverage in UNIT_COUNTERS and rollup_serves(viewer, Unit, area):
        name = UNIT_COUNTERS[coverage]
        totals = rollup.totals_by_child(area, length)
        return {code: t[name] for code, t in totals.items() if t[name]}
    units = unit_list(viewer=viewer, area=area)
    if coverage:
        units = units.filter(coverage_q(coverage))
    return _count_by_child(units, area, length)


def part_time_member_list(*, viewer, committee: BigCommittee) -> QuerySet[PartTimeMember]:
    return (
        scope_for(viewer)
        .filter(PartTimeMember.objects.select_related("unit"))
        .filter(committee=committee, ended_on__isnull=True)
    )


# ---- what a form may offer: the places and orgs the viewer may change -------------------

CHOICES_MAX = 2000


def manageable_areas(*, viewer, levels, limit: int = CHOICES_MAX) -> list[Area]:
    """Areas of the given levels that the viewer sees and may change, by path."""
    from jiceng.core.access import can_manage_area

    areas = scope_for(viewer).filter(Area.objects.filter(level__in=list(levels)))
    return [a for a in areas.order_by("path")[:limit] if can_manage_area(viewer, a)]


def manageable_orgs(
    *, viewer, joint_only: bool = False, limit: int = CHOICES_MAX
) -> list[PartyOrg]:
    """Open orgs the viewer sees and may change (as a parent, a unit's own or joint org);
    `joint_only` keeps those that may cover other units."""
    from jiceng.orgs.access import can_manage_org

    orgs = org_list(viewer=viewer)
    if joint_only:
        orgs = orgs.filter(Q(kind=PartyOrg.Kind.JOINT_BRANCH) | ~Q(form=PartyOrg.Form.SINGLE))
    return [o for o in orgs[:limit] if can_manage_org(viewer, o)]


def post_candidates(*, viewer) -> QuerySet:
    """Accounts the viewer may give a grid duty: those holding a role in the territory
    the viewer manages (accounts are created on the accounts page first)."""
    from jiceng.accounts.models import User
    from jiceng.accounts.selectors import assignment_list

    holders = assignment_list(viewer=viewer).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("username", "id")


def grids_under(*, viewer, area: Area | None = None) -> QuerySet[Area]:
    """Visible grids (under `area`), in path order."""
    grids = scope_for(viewer).filter(Area.objects.filter(level=Area.Level.GRID))
    if area is not None:
        grids = grids.filter(path__startswith=area.path)
    return grids.order_by("path")


def with_post_counts(grids: QuerySet[Area]) -> QuerySet[Area]:
    """Each grid with its open posts counted by duty (leaders, workers, lane_chiefs)."""
    open_posts = Q(grid_posts__ended_on__isnull=True)
    return grids.annotate(
        leaders=Count("grid_posts", filter=open_posts & Q(grid_posts__duty="leader")),
        workers=Count("grid_posts", filter=open_posts & Q(grid_posts__duty="worker")),
        lane_chiefs=Count("grid_posts", filter=open_posts & Q(grid_posts__duty="lane_chief")),
    )


def grid_page_with_post_counts(grids) -> list[Area]:
    """Grids already read (a page of `grids_under`), again with their open posts counted:
    counting only the page's grids' posts, not those of every grid under the area."""
    ids = [grid.pk for grid in grids]
    return list(with_post_counts(Area.objects.filter(pk__in=ids)).order_by("path"))


def grid_list(*, viewer, area: Area | None = None) -> QuerySet[Area]:
    """Visible grids (under `area`), each with its open posts counted by duty."""
    return with_post_counts(grids_under(viewer=viewer, area=area))


def grid_post_history(*, viewer, grid: Area) -> QuerySet[GridPost]:
    """Every post of a grid, open first, then ended ones newest first."""
    return (
        scope_for(viewer)
        .filter(GridPost.objects.select_related("user"))
        .filter(grid=grid)
        .order_by(F("ended_on").desc(nulls_first=True), "duty", "lane", "id")
    )


def big_committee_list(*, viewer) -> QuerySet[BigCommittee]:
    return (
        scope_for(viewer)
        .filter(BigCommittee.objects.select_related("area", "org"))
        .annotate(
            members=Count("part_time_members", filter=Q(part_time_members__ended_on__isnull=True))
        )
        .order_by("area__path")
    )


def part_time_member_history(*, viewer, committee: BigCommittee) -> QuerySet[PartTimeMember]:
    return (
        scope_for(viewer)
        .filter(PartTimeMember.objects.select_related("unit"))
        .filter(committee=committee)
        .order_by(F("ended_on").desc(nulls_first=True), "started_on", "id")
    )


def post_candidate(*, viewer, user_id: int):
    """One account the viewer may give a grid duty, or None."""
    from jiceng.accounts.models import User
    from jiceng.accounts.selectors import assignment_list

    holders = assignment_list(viewer=viewer).values("user_id")
    return User.objects.filter(pk=user_id, pk__in=holders, is_active=True).first()


# ---- for supervision's weak-org rules (figures about the orgs, not about a viewer) ----------


def community_top_orgs(*, area: Area) -> list[PartyOrg]:
    """The open community party orgs under `area` that head their community: located in
    a community, in the community domain, not a group, and not under another org of
    the same community (a community committee's branches answer through it)."""
    orgs = list(
        PartyOrg.objects.filter(
            area__path__startswith=area.path,
            area__level=Area.Level.COMMUNITY,
            domain=PartyOrg.Domain.COMMUNITY,
            closed_on__isnull=True,
        )
        .exclude(kind=PartyOrg.Kind.GROUP)
        .select_related("area", "parent")
        .order_by("path")
    )
    return [o for o in orgs if o.parent is None or o.parent.area_id != o.area_id]


def secretary_vacant_since(orgs: list[PartyOrg]) -> dict[int, datetime.date]:
    """{org id: the day its secretary post became vacant} for the orgs given whose
    secretary is not filled in: the day of the last recorded change that emptied it
    (the audit entries of the org's updates are its history), else the org's founding
    day; an org with neither is left out (nothing dates the vacancy)."""
    from jiceng.core.models import AuditEntry

    vacant = [o for o in orgs if not o.secretary_name.strip()]
    if not vacant:
        return {}
    emptied = (
        AuditEntry.objects.filter(
            target_type=PartyOrg._meta.label_lower,
            target_id__in=[str(o.pk) for o in vacant],
            changes__secretary_name__new="",
        )
        .values_list("target_id", "at")
        .order_by("at")
    )
    since: dict[int, datetime.date] = {}
    for target_id, at in emptied:
        since[int(target_id)] = timezone.localtime(at).date()
    for org in vacant:
        if org.pk not in since and org.established_on is not None:
            since[org.pk] = org.established_on
    return since

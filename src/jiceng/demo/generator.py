"""`jiceng demo`: the real territory of Shanghai filled with generated, plausible data.

The demo is the first client of the services: every row is written by `core.services`,
`orgs.services`, `accounts.services`, `members.services` or `appeals.services`, in bulk
where the city scale needs it, with the same checks and audit entries as any other
write. Each district is planned (`plan.py`, `people.py`, `cases.py`: pure and seeded)
and then written: territory, orgs and units, grid leaders and big committees, party
members with their transfers, mobile members and dual reports, handling units and a year
of residents' appeals. The whole run is one transaction, so a failure leaves the
database as empty as it was.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts import services as account_services
from jiceng.core.errors import Conflict
from jiceng.core.models import Area
from jiceng.core.services import AreaSpec, area_bulk_create, area_create
from jiceng.demo import (
    addresses,
    assessment,
    cases,
    cobuild,
    duties,
    integrations,
    linkage,
    logins,
    orglife,
    people,
    supervision,
)
from jiceng.demo.anchors import DemoAnchors
from jiceng.demo.plan import (
    ANCHOR_DATE,
    NEW,
    OrgPlan,
    StreetPlan,
    district_org_key,
    district_org_name,
    plan_street,
)
from jiceng.demo.territory import (
    CITY_CODE,
    CITY_NAME,
    DEMO_DISTRICT_CODE,
    DEMO_STREET_CODE,
    Division,
    Territory,
    territory_for,
)
from jiceng.orgs import services as org_services
from jiceng.orgs.models import PartyOrg, Unit

DEFAULT_SEED = 2026
BATCH_SIZE = 2000
MSG_NOT_EMPTY = _(
    "数据库中已有区域数据，演示数据只能载入空数据库。如需重建，请换用一个空数据库"
    "（例如删除 var/jiceng.sqlite3 后重新执行 jiceng migrate）；"
    "只想在数据库为空时载入，请加 --if-empty。"
)
# Work units the progress bar counts per community: areas, orgs and units, people,
# party members, appeals.
STEPS_PER_COMMUNITY = 5

# (description, communities done) after each step of each district.
ProgressCallback = Callable[[str, int], None]


class DatabaseNotEmpty(Conflict):
    code = "demo_not_empty"
    default_message = MSG_NOT_EMPTY


@dataclass
class DemoResult:
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)


def progress_total(territory: Territory) -> int:
    return len(territory.communities) * STEPS_PER_COMMUNITY + 1


@dataclass
class DemoRun:
    """What every district of one run shares."""

    seed: int
    volume: people.DemoVolume
    territory: Territory
    today: datetime.date
    cutoff: datetime.datetime
    categories: dict
    used_usccs: set[str] = field(default_factory=set)
    ids: people.IdNumbers = field(default_factory=people.IdNumbers)


def demo_generate(
    *, scale: str, seed: int = DEFAULT_SEED, progress: ProgressCallback | None = None
) -> DemoResult:
    """Build the demo at `scale` (street, district or city) into an empty database.

    Raises DatabaseNotEmpty when any area exists: the demo never mixes with real data."""
    from jiceng.appeals.models import Category
    from jiceng.appeals.taxonomy import ensure_categories
    from jiceng.members import rollup as members_rollup
    from jiceng.orglife import rollup as orglife_rollup
    from jiceng.orglife.requirements import ensure_requirements
    from jiceng.orgs import rollup as coverage_rollup

    territory = territory_for(scale)
    report = progress or (lambda description, advance: None)
    result = DemoResult(scale=scale, seed=seed)
    with transaction.atomic():
        if Area.objects.exists():
            raise DatabaseNotEmpty()
        # The categories come with a migration; a database emptied since (a flush) gets
        # them back, so the demo never depends on how the database was prepared.
        ensure_categories()
        ensure_requirements()
        # The rollups of an empty database are complete (and empty): built now, every
        # service and bulk path below keeps them, so the demo proves those paths.
        members_rollup.rebuild(today=timezone.localdate())
        coverage_rollup.rebuild()
        run = DemoRun(
            seed=seed,
            volume=people.VOLUMES[scale],
            territory=territory,
            today=timezone.localdate(),
            cutoff=cases.cutoff_for(),
            categories={c.code: c for c in Category.objects.all()},
        )
        anchors = DemoAnchors()
        anchors.city = area_create(
            actor=None, parent=None, code=CITY_CODE, name=CITY_NAME, level="city"
        )
        parents: dict[str, Area] = {CITY_CODE: anchors.city}
        area_bulk_create(
            actor=None,
            parent_by_code=parents,
            specs=[
                (CITY_CODE, AreaSpec(code=d.code, name=d.name, level="district"))
                for d in territory.districts
            ],
        )
        for district in territory.districts:
            _write_district(
                run=run,
                district=district,
                district_area=parents[district.code],
                anchors=anchors,
                report=report,
            )
        report(str(_("标准地址")), 0)
        if anchors.street is not None:
            addresses.fill(
                seed=seed, area=anchors.district or anchors.street, street=anchors.street
            )
        report(str(_("创建演示账号")), 0)
        users = logins.demo_accounts_create(seed=seed, anchors=anchors)
        logins.demo_member_link(anchors=anchors, user=users["demo_member"])
        report(str(_("今天的群众诉求")), 0)
        cases.finish(seed=seed, anchors=anchors, users=users)
        report(str(_("区域化党建：需求、资源、项目与阵地")), 0)
        cobuild.fill(seed=seed, anchors=anchors)
        report(str(_("组织生活：三会一课、协商议事、联系点与走访")), 0)
        orglife.fill(seed=seed, anchors=anchors)
        report(str(_("系统对接：系统令牌、事件订阅与 12345 工单")), 0)
        integrations.fill(seed=seed, anchors=anchors)
        report(str(_("调度通报：通知、任务、回执与通报")), 0)
        linkage.fill(seed=seed, anchors=anchors)
        report(str(_("职责准入与街道五项权力")), 0)
        duties.fill(seed=seed, anchors=anchors, users=users)
        # Only the demo street has meetings; every other org's yearly compliance row
        # (none held, all due) is written here, or each home page would compute the
        # city's 22,000 orgs from their meetings on every request (bench/README.md).
        orglife_rollup.rebuild()
        report(str(_("述职评议考核：方案、任务清单、述职、评议、排名与整改")), 0)
        assessment.fill(anchors=anchors, users=users)
        report(str(_("动态管理：软弱涣散排查、星级评定、督促检查与约谈")), 0)
        supervision.fill(seed=seed, anchors=anchors, users=users)
        report(str(_("完成")), 1)
    _analyze()
    result.counts = demo_counts()
    return result


def _analyze() -> None:
    """Fresh planner statistics on PostgreSQL. The demo writes everything in one
    transaction, and until autovacuum gets round to the tables the planner guesses: a
    search for one ID number in a city's register took 72 s instead of 0.4 s
    (bench/README.md)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _write_district(
    *,
    run: DemoRun,
    district: Division,
    district_area: Area,
    anchors: DemoAnchors,
    report: ProgressCallback,
) -> None:
    territory = run.territory
    streets = territory.streets_of(district)
    plans = [
        plan_street(
            seed=run.seed,
            district=district,
            street=street,
            communities=territory.communities_of(street),
            used_usccs=run.used_usccs,
        )
        for street in streets
    ]
    communities = sum(len(territory.communities_of(s)) for s in streets)

    report(str(_("{name}：区域与网格")).format(name=district.name), 0)
    areas = _write_areas(district_area, plans)
    report(str(_("{name}：党组织与驻区单位")).format(name=district.name), communities)
    orgs = _write_orgs(district, district_area, plans, areas)
    _write_units(plans, areas, orgs)
    report(str(_("{name}：网格长与大党委")).format(name=district.name), communities)
    _write_people(plans, areas, orgs)
    report(str(_("{name}：党员")).format(name=district.name), communities)
    _write_members(run, district, plans, areas, orgs)
    report(str(_("{name}：群众诉求")).format(name=district.name), communities)
    units = cases.write_units_and_rules(
        district_area=district_area, plans=plans, areas=areas, categories=run.categories
    )
    for plan in plans:
        cases.write_cases(
            cases.plan_street_cases(
                seed=run.seed,
                plan=plan,
                areas=areas,
                units=units,
                categories=run.categories,
                per_community=run.volume.cases_per_community,
                cutoff=run.cutoff,
            )
        )
    report(str(_("{name}：完成")).format(name=district.name), communities)

    if district.code == DEMO_DISTRICT_CODE:
        anchors.district = district_area
        anchors.handling_units = units
    for plan in plans:
        if plan.street.code == DEMO_STREET_CODE:
            _find_anchors(plan, areas, orgs, anchors)


def _write_members(
    run: DemoRun,
    district: Division,
    plans: list[StreetPlan],
    areas: dict[str, Area],
    orgs: dict[str, PartyOrg],
) -> None:
    """Each street's members in one bulk call, then each street's workflows, which reach
    into the other streets of the district (transfers, arrivals, dual reports)."""
    residences = [
        c.code for s in run.territory.streets_of(district) for c in run.territory.communities_of(s)
    ]
    units = Unit.objects.in_bulk([u.uscc for plan in plans for u in plan.units], field_name="uscc")
    planned: list[list[people.MemberPlan]] = []
    for plan in plans:
        street_people = people.plan_members(
            seed=run.seed,
            district=district,
            plan=plan,
            per_community=run.volume.members_per_community,
            residences=residences,
            ids=run.ids,
            today=run.today,
        )
        people.write_members(people=street_people, orgs=orgs, areas=areas, units=units)
        # Workflows go through the one-at-a-time services, each call appending to the
        # audit chain: in every street of the smaller scales, and at city scale in the
        # demo district and one street of each other district.
        with_workflows = (
            run.volume.workflows_every_street
            or district.code == DEMO_DISTRICT_CODE
            or plan is plans[0]
        )
        planned.append(street_people if with_workflows else [])
    for index, (plan, street_people) in enumerate(zip(plans, planned, strict=True)):
        if not street_people:
            continue
        others = plans[(index + 1) % len(plans)] if len(plans) > 1 else plan
        people.write_workflows(
            seed=run.seed,
            plan=plan,
            people=street_people,
            orgs=orgs,
            areas=areas,
            elsewhere=[a.code for a in others.areas if a.level == "community"],
            today=run.today,
        )


def _write_areas(district_area: Area, plans: list[StreetPlan]) -> dict[str, Area]:
    """Streets, communities, grids and buildings, level by level so that each batch's
    parents are already written."""
    order = {"street": 0, "community": 1, "grid": 2, "building": 3}
    rows = sorted(
        (row for plan in plans for row in plan.areas), key=lambda r: (order[r.level], r.code)
    )
    parents: dict[str, Area] = {district_area.code: district_area}
    area_bulk_create(
        actor=None,
        parent_by_code=parents,
        specs=(
            (row.parent_code, AreaSpec(code=row.code, name=row.name, level=row.level))
            for row in rows
        ),
        batch_size=BATCH_SIZE,
    )
    return parents


def _org_row(plan: OrgPlan, areas: dict[str, Area]) -> org_services.OrgRow:
    return org_services.OrgRow(
        key=plan.key,
        parent_key=plan.parent_key,
        name=plan.name,
        kind=plan.kind,
        domain=plan.domain,
        area=areas[plan.area_code],
        form=plan.form,
        secretary_name=plan.secretary_name,
        established_on=plan.established_on,
    )


def _write_orgs(
    district: Division, district_area: Area, plans: list[StreetPlan], areas: dict[str, Area]
) -> dict[str, PartyOrg]:
    root = OrgPlan(
        key=district_org_key(district.code),
        parent_key=None,
        name=district_org_name(district),
        kind="committee",
        domain="agency",
        area_code=district.code,
        established_on=datetime.date(1949, 5, 27),
    )
    rows = [_org_row(root, areas)]
    rows += [_org_row(org, areas) for plan in plans for org in plan.orgs]
    return org_services.org_bulk_create(actor=None, rows=rows, batch_size=BATCH_SIZE)


def _registered_at(days_ago: int, category: str) -> datetime.datetime:
    if category == NEW:
        return timezone.now() - datetime.timedelta(days=days_ago)
    anchor = datetime.datetime.combine(ANCHOR_DATE, datetime.time(9), tzinfo=datetime.UTC)
    return anchor - datetime.timedelta(days=days_ago)


def _write_units(
    plans: list[StreetPlan], areas: dict[str, Area], orgs: dict[str, PartyOrg]
) -> None:
    rows = [
        org_services.UnitRow(
            name=unit.name,
            uscc=unit.uscc,
            kind=unit.kind,
            area=areas[unit.grid_code],
            address=unit.address,
            employees=unit.employees,
            formal_members=unit.formal_members,
            own_org=orgs[unit.org_key] if unit.org_key else None,
            covering_org=orgs[unit.covering_key] if unit.covering_key else None,
            registered_at=_registered_at(unit.registered_days_ago, unit.category),
        )
        for plan in plans
        for unit in plan.units
    ]
    org_services.unit_bulk_create(actor=None, rows=rows, batch_size=BATCH_SIZE)


def _write_people(
    plans: list[StreetPlan], areas: dict[str, Area], orgs: dict[str, PartyOrg]
) -> None:
    """Grid leaders and lane chiefs (accounts without a usable password, a post and a
    role each), then each street's big committee with its part-time members."""
    leaders = [leader for plan in plans for leader in plan.grid_leaders]
    lane_chiefs = [chief for plan in plans for chief in plan.lane_chiefs]
    users = account_services.user_bulk_create(
        actor=None,
        rows=[
            account_services.UserRow(username=person.username, full_name=person.full_name)
            for person in [*leaders, *lane_chiefs]
        ],
        batch_size=BATCH_SIZE,
    )
    org_services.grid_post_bulk_assign(
        actor=None,
        rows=[
            org_services.GridPostRow(
                grid=areas[leader.grid_code],
                user=users[leader.username],
                duty="leader",
                started_on=leader.started_on,
            )
            for leader in leaders
        ]
        + [
            org_services.GridPostRow(
                grid=areas[chief.grid_code],
                user=users[chief.username],
                duty="lane_chief",
                lane=chief.lane,
                started_on=chief.started_on,
            )
            for chief in lane_chiefs
        ],
        batch_size=BATCH_SIZE,
    )
    usccs = [p.unit_uscc for plan in plans for p in plan.part_time if p.unit_uscc]
    units = Unit.objects.in_bulk(usccs, field_name="uscc")
    for plan in plans:
        committee = org_services.big_committee_create(
            actor=None, area=areas[plan.street.code], org=orgs[plan.org_key]
        )
        for member in plan.part_time:
            org_services.part_time_member_add(
                actor=None,
                committee=committee,
                name=member.name,
                source=member.source,
                unit=units[member.unit_uscc] if member.unit_uscc else None,
                position=member.position,
                started_on=member.started_on,
            )


def _find_anchors(
    plan: StreetPlan, areas: dict[str, Area], orgs: dict[str, PartyOrg], anchors: DemoAnchors
) -> None:
    community_code = next(row.code for row in plan.areas if row.level == "community")
    anchors.street = areas[plan.street.code]
    anchors.community = areas[community_code]
    anchors.grid = areas[f"{community_code}001"]
    anchors.community_org = orgs[f"c:{community_code}"]
    unit = next(u for u in plan.units if u.community_code == community_code and u.org_key)
    anchors.unit_org = orgs[unit.org_key]


def demo_counts() -> dict[str, int]:
    """Row counts by kind of object, for the command's summary and the benchmark."""
    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.appeals.models import (
        Appeal,
        AppealEvent,
        AppealMonthStat,
        HandlingUnit,
        Mediation,
        RoutingRule,
        Summons,
    )
    from jiceng.assessment.models import Assessment, Problem, Rectification
    from jiceng.cobuild.models import Need, Project, Resource, Venue
    from jiceng.core.models import AuditEntry
    from jiceng.duties.models import Duty, FieldOfficeAssessment, PowerRequest
    from jiceng.linkage.models import Dispatch, Notification
    from jiceng.members.models import (
        DualReport,
        Member,
        MemberEvent,
        MobileInflow,
        MobileOutflow,
        ServiceRecord,
        Transfer,
    )
    from jiceng.orglife.models import ContactPoint, HouseholdVisit, Meeting, Topic
    from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember

    counts = {
        f"area_{level}": Area.objects.filter(level=level).count() for level in Area.LEVEL_ORDER
    }
    counts.update(
        party_orgs=PartyOrg.objects.count(),
        units=Unit.objects.count(),
        users=User.objects.count(),
        role_assignments=RoleAssignment.objects.count(),
        grid_posts=GridPost.objects.count(),
        big_committees=BigCommittee.objects.count(),
        part_time_members=PartTimeMember.objects.count(),
        audit_entries=AuditEntry.objects.count(),
        members=Member.objects.count(),
        member_events=MemberEvent.objects.count(),
        transfers=Transfer.objects.count(),
        outflows=MobileOutflow.objects.count(),
        inflows=MobileInflow.objects.count(),
        dual_reports=DualReport.objects.count(),
        service_records=ServiceRecord.objects.count(),
        handling_units=HandlingUnit.objects.count(),
        routing_rules=RoutingRule.objects.count(),
        appeals=Appeal.objects.count(),
        needs=Need.objects.count(),
        resources=Resource.objects.count(),
        projects=Project.objects.count(),
        venues=Venue.objects.count(),
        appeals_open=Appeal.objects.exclude(state__in=("closed", "rated")).count(),
        appeal_events=AppealEvent.objects.count(),
        summonses=Summons.objects.count(),
        mediations=Mediation.objects.count(),
        appeal_month_stats=AppealMonthStat.objects.count(),
        orglife_meetings=Meeting.objects.count(),
        orglife_topics=Topic.objects.count(),
        orglife_contact_points=ContactPoint.objects.count(),
        orglife_visits=HouseholdVisit.objects.count(),
        assessment_assessments=Assessment.objects.count(),
        assessment_problems=Problem.objects.count(),
        assessment_rectifications=Rectification.objects.count(),
        linkage_dispatches=Dispatch.objects.count(),
        notifications=Notification.objects.count(),
        duties=Duty.objects.count(),
        duty_power_requests=PowerRequest.objects.count(),
        duty_assessments=FieldOfficeAssessment.objects.count(),
    )
    return counts

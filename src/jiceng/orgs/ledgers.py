"""The orgs app's standard ledgers (台账): party orgs, units and the two coverages
(两个覆盖), grids and their people, lane chiefs, buildings, big committees. Each reads the
app's scoped selectors in a fixed number of queries."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.ledgers import Subject, columns, percent, register_ledgers, register_org_source
from jiceng.core.models import Area
from jiceng.core.scope import KIND_AREA, KIND_PARTY_ORG, KIND_PEOPLE, KIND_UNIT, scope_for
from jiceng.orgs.models import GridPost, PartTimeMember, PartyOrg, Unit
from jiceng.orgs.selectors import (
    big_committee_list,
    coverage_by_child,
    coverage_q,
    grid_list,
    org_list,
    unit_list,
)

APP = "orgs"
UNIT_PLACE = {"area": "area", "org": ("own_org", "covering_org")}
ORG_KIND = dict(PartyOrg.Kind.choices)
ORG_DOMAIN = dict(PartyOrg.Domain.choices)
ORG_FORM = dict(PartyOrg.Form.choices)
UNIT_KIND = dict(Unit.Kind.choices)
DUTY = dict(GridPost.Duty.choices)
SOURCE = dict(PartTimeMember.Source.choices)


def _orgs(viewer, subject: Subject):
    return subject.narrow(org_list(viewer=viewer), area="area", org="")


def org_basics(viewer, subject: Subject):
    rows = (
        _orgs(viewer, subject)
        .annotate(open_children=Count("children", filter=Q(children__closed_on__isnull=True)))
        .values_list(
            "name",
            "kind",
            "domain",
            "form",
            "parent__name",
            "area__name",
            "secretary_name",
            "established_on",
            "open_children",
        )
    )
    for name, kind, domain, form, parent, area, secretary, established, children in rows:
        yield (
            name,
            ORG_KIND[kind],
            ORG_DOMAIN[domain],
            ORG_FORM[form],
            parent or "",
            area,
            secretary,
            established,
            children,
        )


def orgs_by_kind(viewer, subject: Subject):
    rows = (
        _orgs(viewer, subject)
        .values("domain", "kind")
        .annotate(count=Count("id"))
        .order_by("domain", "kind")
    )
    for r in rows:
        yield (ORG_DOMAIN[r["domain"]], ORG_KIND[r["kind"]], r["count"])


def _units(viewer, subject: Subject):
    return subject.narrow(unit_list(viewer=viewer), **UNIT_PLACE)


def _unit_row(u: Unit) -> tuple:
    return (
        u.name,
        u.uscc,
        u.get_kind_display(),
        u.area.name,
        u.address,
        u.employees,
        u.formal_members,
        u.get_coverage_display(),
        u.own_org.name if u.own_org_id else "",
        u.covering_org.name if u.covering_org_id else "",
    )


def units(viewer, subject: Subject):
    for unit in _units(viewer, subject):
        yield _unit_row(unit)


def units_by_coverage(name: str):
    def rows(viewer, subject: Subject):
        for unit in _units(viewer, subject).filter(coverage_q(name)):
            yield _unit_row(unit)

    return rows


def units_registered(viewer, subject: Subject):
    found = _units(viewer, subject).filter(**subject.period.times("registered_at"))
    for unit in found.order_by("registered_at", "id"):
        yield (*_unit_row(unit), unit.registered_at)


def coverage_by_area(viewer, subject: Subject):
    """两个覆盖 per child of the area: units, own org, joint org, uncovered, rate."""
    if subject.area is None:
        return
    for row in coverage_by_child(viewer=viewer, area=subject.area):
        covered = row["own"] + row["joint"]
        yield (
            row["area"].name,
            row["area"].code,
            row["total"],
            row["own"],
            row["joint"],
            row["uncovered"],
            row["must_form"],
            percent(covered, row["total"]),
        )


def joint_coverage(viewer, subject: Subject):
    """Each joint org with the units it covers."""
    rows = (
        _units(viewer, subject)
        .filter(coverage_q("joint"))
        .values("covering_org__name", "covering_org__path")
        .annotate(
            units=Count("id"),
            members=Count("id", filter=Q(formal_members__gte=1)),
        )
        .order_by("covering_org__path")
    )
    for r in rows:
        yield (r["covering_org__name"], r["units"], r["members"])


def grids(viewer, subject: Subject):
    rows = subject.narrow(grid_list(viewer=viewer), area="").annotate(
        buildings=Count("children", distinct=True)
    )
    for g in rows.select_related("parent"):
        yield (g.name, g.code, g.parent.name, g.leaders, g.workers, g.lane_chiefs, g.buildings)


def _posts(viewer, subject: Subject):
    posts = scope_for(viewer).filter(GridPost.objects.all())
    return subject.narrow(posts, area="grid")


def grid_people(viewer, subject: Subject):
    rows = (
        _posts(viewer, subject)
        .filter(ended_on__isnull=True)
        .exclude(duty=GridPost.Duty.LANE_CHIEF)
        .order_by("grid__path", "duty", "id")
        .values_list("grid__name", "grid__parent__name", "duty", "user__full_name", "started_on")
    )
    for grid, community, duty, name, started in rows:
        yield (grid, community, DUTY[duty], name, started)


def lane_chiefs(viewer, subject: Subject):
    rows = (
        _posts(viewer, subject)
        .filter(ended_on__isnull=True, duty=GridPost.Duty.LANE_CHIEF)
        .order_by("grid__path", "lane", "id")
        .values_list("grid__name", "grid__parent__name", "lane", "user__full_name", "started_on")
    )
    yield from rows


def grid_post_changes(viewer, subject: Subject):
    """Every appointment of grid staff, those ended included, by grid."""
    rows = (
        _posts(viewer, subject)
        .order_by("grid__path", "started_on", "id")
        .values_list("grid__name", "duty", "lane", "user__full_name", "started_on", "ended_on")
    )
    for grid, duty, lane, name, started, ended in rows:
        yield (grid, DUTY[duty], lane, name, started, ended)


def buildings(viewer, subject: Subject):
    found = (
        subject.narrow(scope_for(viewer).filter(Area.objects.all()), area="")
        .filter(level=Area.Level.BUILDING)
        .select_related("parent", "parent__parent")
        .annotate(address_count=Count("addresses"))
        .order_by("path")
    )
    for b in found:
        yield (b.name, b.code, b.parent.name, b.parent.parent.name, b.address_count)


def big_committees(viewer, subject: Subject):
    found = subject.narrow(big_committee_list(viewer=viewer), area="area", org="org")
    for c in found:
        yield (c.name, c.area.name, c.area.get_level_display(), c.org.name, c.members)


def part_time_members(viewer, subject: Subject):
    people = scope_for(viewer).filter(PartTimeMember.objects.filter(ended_on__isnull=True))
    rows = (
        subject.narrow(people, area="committee__area")
        .order_by("committee__area__path", "started_on", "id")
        .values_list("committee__name", "name", "source", "unit__name", "position", "started_on")
    )
    for committee, name, source, unit, position, started in rows:
        yield (committee, name, SOURCE[source], unit or "", position, started)


def _org_for_ledger(viewer, org_id) -> PartyOrg:
    from jiceng.orgs.access import get_org_for_view

    return get_org_for_view(viewer, org_id)


def _orgs_for_choice(viewer) -> QuerySet[PartyOrg]:
    return org_list(viewer=viewer).select_related(None).only("id", "name", "path")


def register() -> None:
    register_org_source(_org_for_ledger, _orgs_for_choice)
    unit_columns = columns(
        ("name", _("单位名称")),
        ("uscc", _("统一社会信用代码")),
        ("kind", _("单位类别")),
        ("area", _("所在区域")),
        ("address", _("地址")),
        ("employees", _("从业人员数"), "number"),
        ("formal_members", _("正式党员数"), "number"),
        ("coverage", _("覆盖情况")),
        ("own_org", _("本单位党组织")),
        ("covering_org", _("覆盖的联合党组织")),
    )
    area_only = {"subjects": ("area",)}
    specs = [
        (
            "org_basics",
            _("党组织基本信息"),
            org_basics,
            "org_list",
            columns(
                ("name", _("组织名称")),
                ("kind", _("组织类别")),
                ("domain", _("所属领域")),
                ("form", _("组建形式")),
                ("parent", _("上级党组织")),
                ("area", _("所在区域")),
                ("secretary", _("书记")),
                ("established_on", _("成立日期"), "date"),
                ("children", _("下级组织数"), "number"),
            ),
            {},
        ),
        (
            "orgs_by_kind",
            _("党组织分类统计"),
            orgs_by_kind,
            "org_list",
            columns(
                ("domain", _("所属领域")), ("kind", _("组织类别")), ("count", _("个数"), "number")
            ),
            {},
        ),
        ("units", _("驻区单位名册"), units, "unit_list", unit_columns, {"kind": KIND_UNIT}),
        (
            "coverage_by_area",
            _("两个覆盖情况（按区域）"),
            coverage_by_area,
            "coverage_by_child",
            columns(
                ("area", _("区域")),
                ("code", _("区划代码")),
                ("total", _("单位数"), "number"),
                ("own", _("单独建立党组织"), "number"),
                ("joint", _("联合党组织覆盖"), "number"),
                ("uncovered", _("未覆盖"), "number"),
                ("must_form", _("应单独建立未建"), "number"),
                ("rate", _("覆盖率"), "percent"),
            ),
            {"kind": KIND_UNIT, **area_only},
        ),
        (
            "units_uncovered",
            _("未覆盖单位"),
            units_by_coverage("uncovered"),
            "unit_list",
            unit_columns,
            {"kind": KIND_UNIT},
        ),
        (
            "units_must_form",
            _("应单独建立党组织的单位"),
            units_by_coverage("must_form"),
            "unit_list",
            unit_columns,
            {"kind": KIND_UNIT},
        ),
        (
            "units_joint",
            _("联合党组织覆盖单位"),
            units_by_coverage("joint"),
            "unit_list",
            unit_columns,
            {"kind": KIND_UNIT},
        ),
        (
            "joint_coverage",
            _("联合党组织覆盖情况"),
            joint_coverage,
            "unit_list",
            columns(
                ("org", _("联合党组织")),
                ("units", _("覆盖单位数"), "number"),
                ("with_members", _("其中有党员的单位"), "number"),
            ),
            {"kind": KIND_UNIT},
        ),
        (
            "units_registered",
            _("期内新登记单位"),
            units_registered,
            "unit_list",
            unit_columns + columns(("registered_at", _("登记时间"), "date")),
            {"kind": KIND_UNIT, "takes_period": True},
        ),
        (
            "grids",
            _("网格台账"),
            grids,
            "grid_list",
            columns(
                ("grid", _("网格")),
                ("code", _("网格编码")),
                ("community", _("所属社区")),
                ("leaders", _("网格长"), "number"),
                ("workers", _("网格员"), "number"),
                ("lane_chiefs", _("街巷长"), "number"),
                ("buildings", _("楼栋数"), "number"),
            ),
            {"kind": KIND_AREA, **area_only},
        ),
        (
            "grid_people",
            _("网格长、网格员名册"),
            grid_people,
            "grid_post_list",
            columns(
                ("grid", _("网格")),
                ("community", _("所属社区")),
                ("duty", _("职责")),
                ("name", _("姓名")),
                ("started_on", _("任职日期"), "date"),
            ),
            {"kind": KIND_PEOPLE, **area_only},
        ),
        (
            "lane_chiefs",
            _("街巷长名册"),
            lane_chiefs,
            "grid_post_list",
            columns(
                ("grid", _("网格")),
                ("community", _("所属社区")),
                ("lane", _("街巷路段")),
                ("name", _("姓名")),
                ("started_on", _("任职日期"), "date"),
            ),
            {"kind": KIND_PEOPLE, **area_only},
        ),
        (
            "grid_post_changes",
            _("网格人员任职记录（含离任）"),
            grid_post_changes,
            "grid_post_history",
            columns(
                ("grid", _("网格")),
                ("duty", _("职责")),
                ("lane", _("街巷路段")),
                ("name", _("姓名")),
                ("started_on", _("任职日期"), "date"),
                ("ended_on", _("离任日期"), "date"),
            ),
            {"kind": KIND_PEOPLE, **area_only},
        ),
        (
            "buildings",
            _("楼栋台账"),
            buildings,
            "core.selectors.area_list",
            columns(
                ("building", _("楼栋")),
                ("code", _("楼栋编码")),
                ("grid", _("所属网格")),
                ("community", _("所属社区")),
                ("addresses", _("标准地址数"), "number"),
            ),
            {"kind": KIND_AREA, **area_only},
        ),
        (
            "big_committees",
            _("大党委台账"),
            big_committees,
            "big_committee_list",
            columns(
                ("name", _("名称")),
                ("area", _("街道或社区")),
                ("level", _("层级")),
                ("org", _("依托党组织")),
                ("members", _("兼职委员数"), "number"),
            ),
            {"kind": KIND_AREA},
        ),
        (
            "part_time_members",
            _("大党委兼职委员名册"),
            part_time_members,
            "part_time_member_list",
            columns(
                ("committee", _("大党委")),
                ("name", _("姓名")),
                ("source", _("来源")),
                ("unit", _("所在单位")),
                ("position", _("单位职务")),
                ("started_on", _("任职日期"), "date"),
            ),
            {"kind": KIND_PEOPLE, **area_only},
        ),
    ]
    register_ledgers(
        app=APP, title=_("组织体系"), kind=KIND_PARTY_ORG, source="orgs.selectors", specs=specs
    )

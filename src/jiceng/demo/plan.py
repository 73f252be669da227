"""What the demo puts in one street, decided before anything is written.

Planning is pure: it reads the official divisions and one `random.Random` seeded from
the demo seed and the street's code, and returns plain rows. So a street holds the same
grids, orgs, units and people whatever the scale that includes it, and writing (in
`generator.py`) is nothing but calls to the services.
"""

import datetime
import random
from dataclasses import dataclass, field

from jiceng.demo import names
from jiceng.demo.territory import DEMO_STREET_CODE, Division
from jiceng.demo.uscc import uscc_generate

# Dates that do not move between runs: registrations, appointments and foundings are
# counted back from this day. Only "new units" are placed relative to today, so that
# the demo always shows some units registered within the last 30 days.
ANCHOR_DATE = datetime.date(2025, 1, 1)
NEW_UNIT_MAX_DAYS = 25

# Coverage categories a planned unit falls in (the coverage page's five figures).
OWN = "own"
JOINT = "joint"
UNCOVERED = "uncovered"
MUST_FORM = "must_form"
NEW = "new"
CATEGORIES = (OWN, JOINT, UNCOVERED, MUST_FORM, NEW)

UNIT_KIND_WEIGHTS = {
    "private_enterprise": 55,
    "social_organization": 12,
    "other": 10,
    "public_institution": 10,
    "state_enterprise": 6,
    "agency": 7,
}
# Public bodies nearly always have their own org; new economic and social organizations
# spread over every category.
CATEGORY_WEIGHTS = {
    "agency": {OWN: 90, UNCOVERED: 10},
    "public_institution": {OWN: 85, UNCOVERED: 15},
    "state_enterprise": {OWN: 85, UNCOVERED: 10, MUST_FORM: 5},
    "private_enterprise": {OWN: 16, JOINT: 30, UNCOVERED: 38, MUST_FORM: 9, NEW: 7},
    "social_organization": {OWN: 10, JOINT: 35, UNCOVERED: 42, MUST_FORM: 5, NEW: 8},
    "other": {JOINT: 30, UNCOVERED: 62, NEW: 8},
}
ORG_DOMAIN_BY_UNIT_KIND = {
    "agency": "agency",
    "public_institution": "public_institution",
    "state_enterprise": "state_enterprise",
    "private_enterprise": "private_enterprise",
    "social_organization": "social_organization",
    "other": "private_enterprise",
}
# Unit orgs of new economic and social organizations hang under the street's
# comprehensive committee (综合党委); public bodies' under the street committee itself.
NEW_ECONOMY_KINDS = ("private_enterprise", "social_organization", "other")
JOINT_THEMES = (
    ("非公企业", "private_enterprise"),
    ("商务楼宇", "office_building"),
    ("社会组织", "social_organization"),
    ("商圈市场", "market"),
)
COMMUNITY_ORG_KINDS = (("general_branch", 55), ("committee", 15), ("branch", 30))
ORG_KIND_SUFFIX = {
    "committee": "党委",
    "working_committee": "党工委",
    "general_branch": "党总支",
    "branch": "党支部",
    "joint_branch": "联合党支部",
}


@dataclass(frozen=True)
class AreaRow:
    parent_code: str
    code: str
    name: str
    level: str


# The demo street's communities (by index) whose org's secretary post is vacant.
VACANT_SECRETARIES = (1, 2)


@dataclass(frozen=True)
class OrgPlan:
    key: str
    parent_key: str | None
    name: str
    kind: str
    domain: str
    area_code: str
    form: str = "single"
    secretary_name: str = ""
    established_on: datetime.date | None = None


@dataclass
class UnitPlan:
    name: str
    uscc: str
    kind: str
    community_code: str
    grid_code: str
    address: str
    employees: int
    formal_members: int
    category: str
    # Days before ANCHOR_DATE, or before today for a new unit.
    registered_days_ago: int
    org_key: str | None = None
    covering_key: str | None = None


@dataclass(frozen=True)
class GridLeaderPlan:
    grid_code: str
    username: str
    full_name: str
    started_on: datetime.date


@dataclass(frozen=True)
class LaneChiefPlan:
    """A lane chief (街巷长) answering for one road segment or lane of a grid."""

    grid_code: str
    username: str
    full_name: str
    lane: str
    started_on: datetime.date


@dataclass(frozen=True)
class PartTimePlan:
    name: str
    source: str
    unit_uscc: str | None
    position: str
    started_on: datetime.date


@dataclass
class StreetPlan:
    street: Division
    org_key: str
    areas: list[AreaRow] = field(default_factory=list)
    orgs: list[OrgPlan] = field(default_factory=list)
    units: list[UnitPlan] = field(default_factory=list)
    grid_leaders: list[GridLeaderPlan] = field(default_factory=list)
    lane_chiefs: list[LaneChiefPlan] = field(default_factory=list)
    part_time: list[PartTimePlan] = field(default_factory=list)


def street_rng(seed: int, street_code: str) -> random.Random:
    """A generator per street: a street's data do not depend on what else is built."""
    return random.Random(f"jiceng-demo:{seed}:{street_code}")


def district_org_key(district_code: str) -> str:
    return f"d:{district_code}"


def district_org_name(district: Division) -> str:
    return f"中共上海市{district.name}委员会"


def _days_back(rng: random.Random, low: int, high: int) -> datetime.date:
    return ANCHOR_DATE - datetime.timedelta(days=rng.randint(low, high))


def _street_org(street: Division) -> tuple[str, str]:
    """A street has a working committee (党工委); a town or township a committee (党委)."""
    if street.name.endswith(("镇", "乡")):
        return f"{street.name}党委", "committee"
    return f"{street.name}党工委", "working_committee"


def _community_org_name(community: Division, kind: str) -> str:
    place = names.community_place(community.name)
    suffix = ORG_KIND_SUFFIX[kind]
    if names.is_village(community.name):
        return f"{place}{suffix}"
    if community.name.endswith(("虚拟社区", "虚拟生活区")):
        return f"{community.name}{suffix}"
    # Shanghai names a residents' committee's org after its residential area (居民区).
    return f"{place}居民区{suffix}"


def _unit_org_kind(formal_members: int) -> str:
    if formal_members >= 100:
        return "committee"
    if formal_members >= 50:
        return "general_branch"
    return "branch"


def _employees(rng: random.Random, kind: str) -> int:
    if kind == "agency":
        return rng.randint(15, 80)
    if kind == "public_institution":
        return rng.randint(20, 150)
    if kind == "state_enterprise":
        return rng.randint(50, 800)
    if kind == "social_organization":
        return rng.randint(3, 30)
    if kind == "other":
        return rng.randint(1, 8)
    size = rng.random()
    if size < 0.5:
        return rng.randint(3, 20)
    if size < 0.85:
        return rng.randint(20, 100)
    return rng.randint(100, 1000)


def _formal_members(rng: random.Random, category: str, employees: int) -> tuple[int, int]:
    """(employees, formal members) fitting the category; employees grow if they must."""
    if category == OWN:
        employees = max(employees, 6)
        return employees, rng.randint(3, max(3, min(employees // 4 + 3, 150)))
    if category == MUST_FORM:
        employees = max(employees, 10)
        return employees, rng.randint(3, min(employees, 8))
    small = rng.choices((0, 1, 2), weights=(50, 30, 20))[0]
    return employees, min(employees, small)


class _Planner:
    def __init__(
        self,
        *,
        seed: int,
        district: Division,
        street: Division,
        communities: list[Division],
        used_usccs: set[str],
    ) -> None:
        self.rng = street_rng(seed, street.code)
        self.seed = seed
        self.district = district
        self.street = street
        self.communities = communities
        self.used_usccs = used_usccs
        self.used_names: set[str] = set()
        self.plan = StreetPlan(street=street, org_key=f"s:{street.code}")
        self.grids_by_community: dict[str, list[str]] = {}

    # ---- territory --------------------------------------------------------------------

    def territory(self) -> None:
        rng, plan = self.rng, self.plan
        plan.areas.append(AreaRow(self.district.code, self.street.code, self.street.name, "street"))
        for community in self.communities:
            plan.areas.append(
                AreaRow(self.street.code, community.code, community.name, "community")
            )
        village_by_code = {c.code: names.is_village(c.name) for c in self.communities}
        buildings: list[AreaRow] = []
        for community in self.communities:
            grid_codes = []
            for number in range(1, rng.randint(3, 6) + 1):
                code = f"{community.code}{number:03d}"
                grid_codes.append(code)
                plan.areas.append(
                    AreaRow(community.code, code, f"第{names.ordinal(number)}网格", "grid")
                )
                plan.grid_leaders.append(
                    GridLeaderPlan(
                        grid_code=code,
                        username=f"grid{code}",
                        full_name=names.person_name(rng),
                        started_on=_days_back(rng, 30, 2400),
                    )
                )
                lane = rng.randint(1, 999)
                for building in range(1, rng.randint(2, 4) + 1):
                    label = (
                        f"{rng.randint(1, 12)}组{building}号"
                        if village_by_code[community.code]
                        else f"{lane}弄{building}号楼"
                    )
                    buildings.append(AreaRow(code, f"{code}{building:03d}", label, "building"))
            self.grids_by_community[community.code] = grid_codes
        plan.areas.extend(buildings)

    # ---- organizations --------------------------------------------------------------------

    def org(
        self, *, established_on: datetime.date | None = None, vacant: bool = False, **fields
    ) -> OrgPlan:
        # The name is drawn even for a vacant post, so the rest of the plan stays the same.
        secretary = names.person_name(self.rng)
        row = OrgPlan(
            secretary_name="" if vacant else secretary,
            established_on=established_on or _days_back(self.rng, 365, 365 * 30),
            **fields,
        )
        self.plan.orgs.append(row)
        return row

    def street_orgs(self) -> None:
        name, kind = _street_org(self.street)
        self.org(
            key=self.plan.org_key,
            parent_key=district_org_key(self.district.code),
            name=name,
            kind=kind,
            domain="community",
            area_code=self.street.code,
        )
        self.org(
            key=f"z:{self.street.code}",
            parent_key=self.plan.org_key,
            name=f"{self.street.name}综合党委",
            kind="committee",
            domain="private_enterprise",
            area_code=self.street.code,
        )
        for index, community in enumerate(self.communities):
            kinds, weights = zip(*COMMUNITY_ORG_KINDS, strict=True)
            kind = self.rng.choices(kinds, weights=weights)[0]
            self.org(
                # Two of the demo street's community orgs have had no secretary since
                # they were founded: the weak-org candidates of the demo (demo.supervision).
                vacant=self.street.code == DEMO_STREET_CODE and index in VACANT_SECRETARIES,
                key=f"c:{community.code}",
                parent_key=self.plan.org_key,
                name=_community_org_name(community, kind),
                kind=kind,
                domain="community",
                area_code=community.code,
            )
        count = max(1, min(len(JOINT_THEMES), 1 + len(self.communities) // 6))
        self.joint_keys = []
        for index, (theme, domain) in enumerate(JOINT_THEMES[:count]):
            key = f"j:{self.street.code}:{index}"
            self.joint_keys.append(key)
            self.org(
                key=key,
                parent_key=f"z:{self.street.code}",
                name=f"{self.street.name}{theme}联合党支部",
                kind="joint_branch",
                domain=domain,
                form="joint",
                area_code=self.street.code,
            )

    # ---- units ----------------------------------------------------------------------------

    def _uscc(self, kind: str) -> str:
        while True:
            code = uscc_generate(self.rng, unit_kind=kind, region=self.district.code)
            if code not in self.used_usccs:
                self.used_usccs.add(code)
                return code

    def _name(self, kind: str, community: Division) -> tuple[str, str]:
        """A name not yet used in the street; a public body whose names run out (a street
        has one police station) becomes a private enterprise."""
        for _ in range(6):
            name = names.unit_name(
                self.rng,
                kind=kind,
                district=self.district.name,
                street=self.street.name,
                community=community.name,
            )
            if name not in self.used_names:
                break
            if kind in ("agency", "state_enterprise"):
                kind = "private_enterprise"
        self.used_names.add(name)
        return kind, name

    def unit(self, community: Division, *, kind: str | None = None, category: str | None = None):
        rng = self.rng
        kinds = list(UNIT_KIND_WEIGHTS)
        kind = kind or rng.choices(kinds, weights=list(UNIT_KIND_WEIGHTS.values()))[0]
        kind, name = self._name(kind, community)
        if category is None:
            weights = CATEGORY_WEIGHTS[kind]
            category = rng.choices(list(weights), weights=list(weights.values()))[0]
        employees, formal = _formal_members(rng, category, _employees(rng, kind))
        days = rng.randint(1, NEW_UNIT_MAX_DAYS) if category == NEW else rng.randint(60, 7300)
        unit = UnitPlan(
            name=name,
            uscc=self._uscc(kind),
            kind=kind,
            community_code=community.code,
            grid_code=rng.choice(self.grids_by_community[community.code]),
            address=names.unit_address(
                rng, district=self.district.name, street=self.street.name, community=community.name
            ),
            employees=employees,
            formal_members=formal,
            category=category,
            registered_days_ago=days,
        )
        if category == OWN:
            # The org was founded after the unit registered, and before the anchor day.
            founded = rng.randint(0, max(0, days - 30))
            unit.org_key = f"u:{unit.uscc}"
            self.org(
                key=unit.org_key,
                parent_key=(
                    f"z:{self.street.code}" if kind in NEW_ECONOMY_KINDS else self.plan.org_key
                ),
                name=name + ORG_KIND_SUFFIX[_unit_org_kind(formal)],
                kind=_unit_org_kind(formal),
                domain=ORG_DOMAIN_BY_UNIT_KIND[kind],
                area_code=community.code,
                established_on=ANCHOR_DATE - datetime.timedelta(days=founded),
            )
        elif category == JOINT:
            unit.covering_key = rng.choice(self.joint_keys)
        self.plan.units.append(unit)
        return unit

    def units(self) -> None:
        for community in self.communities:
            for _ in range(self.rng.randint(5, 15)):
                self.unit(community)
        # Every street shows every coverage figure, and its first community (the one the
        # demo accounts sit in) has a unit with its own org.
        first = self.communities[0]
        present = {u.category for u in self.plan.units}
        for category in CATEGORIES:
            if category not in present:
                self.unit(first, kind="private_enterprise", category=category)
        if not any(u.category == OWN and u.community_code == first.code for u in self.plan.units):
            self.unit(first, kind="private_enterprise", category=OWN)

    # ---- lane chiefs -------------------------------------------------------------------

    def lane_chiefs(self) -> None:
        """Two lane chiefs in each grid of the street's first urban community: one for a
        stretch of the community's road, one for a lane off it. A generator of their own,
        so the rest of the street's data stay what they were."""
        rng = random.Random(f"jiceng-demo:{self.seed}:{self.street.code}:lanes")
        community = next((c for c in self.communities if not names.is_village(c.name)), None)
        if community is None:
            return
        road = names.road_name(names.community_place(community.name))
        for number, code in enumerate(self.grids_by_community[community.code]):
            start = number * 200 + 1
            lanes = (f"{road}（{start}号—{start + 199}号）", f"{road}{rng.randint(1, 999)}弄")
            for index, lane in enumerate(lanes, start=1):
                self.plan.lane_chiefs.append(
                    LaneChiefPlan(
                        grid_code=code,
                        username=f"lane{code}{index}",
                        full_name=names.person_name(rng),
                        lane=lane,
                        started_on=_days_back(rng, 30, 1200),
                    )
                )

    # ---- big committee ------------------------------------------------------------------

    def big_committee(self) -> None:
        rng = self.rng
        candidates = [u for u in self.plan.units if u.category == OWN]
        for unit in rng.sample(candidates, min(len(candidates), rng.randint(4, 7))):
            self.plan.part_time.append(
                PartTimePlan(
                    name=names.person_name(rng),
                    source="unit",
                    unit_uscc=unit.uscc,
                    position=names.position(rng, unit.kind),
                    started_on=_days_back(rng, 30, 1800),
                )
            )
        for source, position in (
            ("police", "派出所所长"),
            ("property_company", "物业项目经理"),
            ("owners_committee", "业委会主任"),
        ):
            self.plan.part_time.append(
                PartTimePlan(
                    name=names.person_name(rng),
                    source=source,
                    unit_uscc=None,
                    position=position,
                    started_on=_days_back(rng, 30, 1800),
                )
            )


def plan_street(
    *,
    seed: int,
    district: Division,
    street: Division,
    communities: list[Division],
    used_usccs: set[str],
) -> StreetPlan:
    """Everything one street holds: areas, orgs, units, grid leaders, lane chiefs, big
    committee."""
    planner = _Planner(
        seed=seed,
        district=district,
        street=street,
        communities=communities,
        used_usccs=used_usccs,
    )
    planner.territory()
    planner.street_orgs()
    planner.units()
    planner.big_committee()
    planner.lane_chiefs()
    return planner.plan

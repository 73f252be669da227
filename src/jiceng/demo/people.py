"""The demo's party members: who they are, which org keeps their record, where they live,
and the workflows staff run on them (transfers, mobile members, dual reporting).

Planning is pure, like `plan.py`: one `random.Random` per community (and per unit) from
the demo seed, so a community holds the same people whatever else the run builds. The
composition follows the published shape of the party's statistics, tilted to Shanghai:

- A residential community's org (居民区党组织) keeps mostly retired members (about
  seven in ten), some in service, unemployed or flexibly employed, a few students and
  the odd member out of contact; women are about half, ages mostly over sixty.
- A unit with its own org keeps its formal members (`UnitPlan.formal_members`), all in
  service, younger, more educated and more often men; a unit covered by a joint org
  keeps its members in that joint branch. They live in communities across the district.
- About 2 % of members are probationary: joined within the past year, not yet full.
- Minorities are about 2 % (回族 and 满族 first); ID numbers follow GB 11643 with the
  birth date, a sex-matching sequence and the check character, the region of birth
  registration mostly the member's own district, otherwise elsewhere in Shanghai or in
  another province; no two people share one.

Writing goes through `members.services.member_bulk_create` (the same checks as a single
registration, one audit entry per street) and the one-at-a-time workflow services.
"""

import datetime
import itertools
import random
from dataclasses import dataclass

from jiceng.core.validators import id_check_character
from jiceng.demo import names
from jiceng.demo.plan import JOINT, OWN, StreetPlan
from jiceng.demo.territory import Division, shanghai
from jiceng.members.services import MemberFacts

NOTE = "演示数据"

# Regions of birth registration for people not born in their own district: every
# Shanghai district (and the former 卢湾 and 闸北), and county-level codes of the
# provinces most of Shanghai's newcomers come from.
FORMER_SHANGHAI_CODES = ("310103", "310108")
PROVINCE_CODES = (
    "320102", "320583", "320681", "321002", "320382", "330102", "330282", "330402",
    "340104", "340822", "341202", "360102", "370102", "370211", "410105", "411302",
    "420106", "430102", "510107", "500103", "350102", "230103", "220102", "610103",
    "130102", "140105", "450103", "210102",
)  # fmt: skip
MINORITIES = {
    "回族": 30, "满族": 20, "蒙古族": 10, "朝鲜族": 9, "壮族": 8, "土家族": 7, "苗族": 5,
    "彝族": 3, "藏族": 2, "维吾尔族": 2, "布依族": 1, "侗族": 1, "白族": 1, "畲族": 1,
}  # fmt: skip
MINORITY_SHARE = 0.02
PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "176", "177", "180", "181", "183", "186",
    "187", "188", "189", "199",
)  # fmt: skip

# Residential members by category; "mobile" comes later through the outflow workflow.
COMMUNITY_CATEGORIES = {
    "retired": 70,
    "in_service": 14,
    "unemployed": 10,
    "student": 3,
    "lost_contact": 1,
}
# Birth years by category: (first, last, peak) for a triangular draw.
BIRTH_YEARS = {
    "retired": (1930, 1964, 1952),
    "in_service": (1966, 2002, 1986),
    "unemployed": (1962, 1999, 1972),
    "student": (2000, 2006, 2003),
    "lost_contact": (1950, 1990, 1968),
}
# Education of residential members by the decade they were born in.
EDUCATION_BY_DECADE = {
    1930: {"junior_or_below": 50, "high_school": 30, "secondary_vocational": 12, "college": 8},
    1940: {"junior_or_below": 38, "high_school": 34, "secondary_vocational": 14, "college": 12,
           "bachelor": 2},
    1950: {"junior_or_below": 25, "high_school": 35, "secondary_vocational": 15, "college": 17,
           "bachelor": 8},
    1960: {"junior_or_below": 10, "high_school": 28, "secondary_vocational": 14, "college": 28,
           "bachelor": 18, "postgraduate": 2},
    1970: {"high_school": 15, "secondary_vocational": 10, "college": 30, "bachelor": 38,
           "postgraduate": 7},
    1980: {"high_school": 5, "college": 25, "bachelor": 55, "postgraduate": 15},
    1990: {"college": 15, "bachelor": 60, "postgraduate": 25},
    2000: {"college": 15, "bachelor": 70, "postgraduate": 15},
}  # fmt: skip
# Education of members in units, by the unit's kind.
EDUCATION_BY_UNIT_KIND = {
    "agency": {"postgraduate": 32, "bachelor": 56, "college": 10, "high_school": 2},
    "public_institution": {"postgraduate": 30, "bachelor": 52, "college": 15, "high_school": 3},
    "state_enterprise": {"postgraduate": 15, "bachelor": 50, "college": 24,
                         "secondary_vocational": 6, "high_school": 5},
    "private_enterprise": {"postgraduate": 16, "bachelor": 56, "college": 20,
                           "secondary_vocational": 4, "high_school": 4},
    "social_organization": {"postgraduate": 12, "bachelor": 58, "college": 24,
                            "high_school": 6},
    "other": {"bachelor": 15, "college": 30, "secondary_vocational": 20, "high_school": 30,
              "junior_or_below": 5},
}  # fmt: skip
POSTS = {
    "agency": ("科员", "副科长", "科长", "所长助理"),
    "public_institution": ("教师", "医生", "护士", "科室主任", "办公室主任"),
    "state_enterprise": ("工程师", "部门经理", "项目经理", "技术员"),
    "private_enterprise": ("工程师", "部门经理", "产品经理", "销售主管", "行政主管"),
    "social_organization": ("社工", "项目主管", "干事"),
    "other": ("店员", "店长"),
}
PROBATIONARY_SHARE = {"community": 0.004, "unit": 0.05}


@dataclass(frozen=True)
class DemoVolume:
    """How much life the demo puts in. Residential members per community (each community
    draws within ±25 %); cases a year per community (see `cases.py`); whether every
    street gets its handful of transfers, outflows and dual reports (otherwise the demo
    district's streets and one street of each other district do)."""

    members_per_community: int
    cases_per_community: int
    workflows_every_street: bool = True


VOLUMES = {
    "street": DemoVolume(members_per_community=100, cases_per_community=70),
    "district": DemoVolume(members_per_community=100, cases_per_community=70),
    # Shanghai's own order of magnitude: with the units' members, about two million
    # members. Half the district scale's cases per community, so that the whole city is
    # written within ten minutes (bench/README.md, "Demo generation").
    "city": DemoVolume(
        members_per_community=250, cases_per_community=35, workflows_every_street=False
    ),
}


@dataclass(frozen=True)
class MemberPlan:
    facts: MemberFacts
    org_key: str
    residence_code: str | None
    unit_uscc: str | None = None


class Weighted:
    """A weighted draw with the cumulative weights summed once (the same draw as
    `rng.choices(keys, weights=values)`)."""

    def __init__(self, weights: dict[str, int]) -> None:
        self.keys = list(weights)
        self.cum = list(itertools.accumulate(weights.values()))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.keys, cum_weights=self.cum)[0]


MINORITY = Weighted(MINORITIES)
COMMUNITY_CATEGORY = Weighted(COMMUNITY_CATEGORIES)
EDUCATION_OF_DECADE = {decade: Weighted(w) for decade, w in EDUCATION_BY_DECADE.items()}
EDUCATION_IN_UNIT = {kind: Weighted(w) for kind, w in EDUCATION_BY_UNIT_KIND.items()}


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _day_in(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def shanghai_region_codes() -> tuple[str, ...]:
    return tuple(d.code[:6] for d in shanghai().districts) + FORMER_SHANGHAI_CODES


class IdNumbers:
    """Hands out GB 11643 numbers, never the same one twice in a run. A drawn sequence
    already taken moves on by two (the sex digit stays), so a collision changes only
    the person who collided and no later draw."""

    def __init__(self) -> None:
        self.used: set[int] = set()

    def number(self, rng: random.Random, *, region: str, birth: datetime.date, male: bool) -> str:
        sequence = rng.randrange(500) * 2 + (1 if male else 0)
        stem = f"{region}{birth:%Y%m%d}"
        for _ in range(500):
            body = f"{stem}{sequence:03d}"
            key = int(body)
            if key not in self.used:
                self.used.add(key)
                return body + id_check_character(body)
            sequence = (sequence + 2) % 1000
        raise RuntimeError(f"no ID number left for {stem}")


class _People:
    """Draws one person at a time from a generator."""

    def __init__(self, rng: random.Random, *, ids: IdNumbers, home_region: str, today) -> None:
        self.rng = rng
        self.ids = ids
        self.home_region = home_region
        self.today = today
        self.shanghai = shanghai_region_codes()

    def region(self, *, newcomer_share: float) -> str:
        draw = self.rng.random()
        if draw < newcomer_share:
            return self.rng.choice(PROVINCE_CODES)
        if draw < newcomer_share + 0.25:
            return self.rng.choice(self.shanghai)
        return self.home_region

    def dates(self, *, years: tuple[int, int, int], probationary: bool):
        """(birth, joined, full_on) consistent with each other and with today."""
        rng, today = self.rng, self.today
        if probationary:
            # Joined within the past year, aged 20 to 35 then.
            joined = today - datetime.timedelta(days=rng.randint(15, 350))
            birth = joined - datetime.timedelta(days=rng.randint(20 * 365 + 5, 35 * 365))
            return birth, joined, None
        first, last, peak = years
        year = round(rng.triangular(first, last, peak))
        birth = _day_in(rng, year)
        earliest = _add_years(birth, 18)
        age = round(rng.triangular(19, 45, 25))
        joined = _add_years(birth, age) + datetime.timedelta(days=rng.randrange(300))
        latest = today - datetime.timedelta(days=400)
        if joined > latest:
            joined = latest
        if joined < earliest:
            return None
        full_on = joined + datetime.timedelta(days=365 + rng.randint(1, 30))
        return birth, joined, full_on

    def person(
        self,
        *,
        category: str,
        years: tuple[int, int, int],
        male_share: float,
        probationary_share: float,
        newcomer_share: float,
        education: Weighted | None,
        phone_share: float,
        work_unit_name: str = "",
        post: str = "",
    ) -> MemberFacts:
        rng = self.rng
        male = rng.random() < male_share
        probationary = rng.random() < probationary_share
        dates = None
        while dates is None:
            dates = self.dates(years=years, probationary=probationary)
        birth, joined, full_on = dates
        decade = min(max(birth.year // 10 * 10, 1930), 2000)
        ethnicity = MINORITY(rng) if rng.random() < MINORITY_SHARE else "汉族"
        phone = ""
        if rng.random() < phone_share:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return MemberFacts(
            name=names.person_name(rng, "male" if male else "female"),
            id_number=self.ids.number(
                rng, region=self.region(newcomer_share=newcomer_share), birth=birth, male=male
            ),
            ethnicity=ethnicity,
            education=(education or EDUCATION_OF_DECADE[decade])(rng),
            joined_on=joined,
            status="probationary" if full_on is None else "full",
            category=category,
            full_on=full_on,
            phone=phone,
            work_unit_name=work_unit_name,
            post=post,
        )


def plan_members(
    *,
    seed: int,
    district: Division,
    plan: StreetPlan,
    per_community: int,
    residences: list[str],
    ids: IdNumbers,
    today: datetime.date,
) -> list[MemberPlan]:
    """The members one street keeps: residents in each community's org, then the formal
    members of each unit that has an org of its own or is covered by a joint one.
    `residences` are the communities (codes) of the district the run builds, where
    people working in the street may live."""
    region = district.code[:6]
    people: list[MemberPlan] = []
    communities = [a.code for a in plan.areas if a.level == "community"]
    for code in communities:
        rng = random.Random(f"jiceng-demo-members:{seed}:{code}")
        draw = _People(rng, ids=ids, home_region=region, today=today)
        low, high = round(per_community * 0.75), round(per_community * 1.25)
        for _ in range(rng.randint(low, high)):
            category = COMMUNITY_CATEGORY(rng)
            facts = draw.person(
                category=category,
                years=BIRTH_YEARS[category],
                male_share=0.47,
                probationary_share=(
                    PROBATIONARY_SHARE["community"] if category != "retired" else 0.0
                ),
                newcomer_share=0.08 if category == "retired" else 0.25,
                education=None,
                phone_share=0.85 if category == "retired" else 0.98,
            )
            people.append(MemberPlan(facts=facts, org_key=f"c:{code}", residence_code=code))
    for unit in plan.units:
        if unit.category == OWN:
            org_key = unit.org_key
        elif unit.category == JOINT:
            org_key = unit.covering_key
        else:
            continue  # no org: the members' records are kept elsewhere
        rng = random.Random(f"jiceng-demo-members:{seed}:{unit.uscc}")
        draw = _People(rng, ids=ids, home_region=region, today=today)
        # Where they live: drawn from their own generator, so that the people do not
        # change with the number of communities the run builds.
        homes = random.Random(f"jiceng-demo-homes:{seed}:{unit.uscc}")
        for _ in range(unit.formal_members):
            post = rng.choice(POSTS[unit.kind]) if rng.random() < 0.3 else ""
            facts = draw.person(
                category="in_service",
                years=BIRTH_YEARS["in_service"],
                male_share=0.58,
                probationary_share=PROBATIONARY_SHARE["unit"],
                newcomer_share=0.35,
                education=EDUCATION_IN_UNIT[unit.kind],
                phone_share=1.0,
                post=post,
            )
            residence = homes.choice(residences) if homes.random() < 0.8 else None
            people.append(
                MemberPlan(
                    facts=facts, org_key=org_key, residence_code=residence, unit_uscc=unit.uscc
                )
            )
    return people


# ---- writing ---------------------------------------------------------------------------------


def write_members(
    *,
    people: list[MemberPlan],
    orgs: dict,
    areas: dict,
    units: dict,
) -> int:
    """Register one street's planned people in one call of the bulk service."""
    from jiceng.members.services import MemberRow, member_bulk_create

    return member_bulk_create(
        actor=None,
        rows=[
            MemberRow(
                facts=person.facts,
                org=orgs[person.org_key],
                residence_community=areas[person.residence_code] if person.residence_code else None,
                work_unit=units[person.unit_uscc] if person.unit_uscc else None,
            )
            for person in people
        ],
        note=NOTE,
    )


def _registered(people: list[MemberPlan]):
    """The members registered for planned people, in the plan's order."""
    from jiceng.members.models import Member
    from jiceng.members.services import id_number_index

    indexes = [id_number_index(p.facts.id_number) for p in people]
    found = Member.objects.filter(id_number_index__in=indexes).select_related(
        "org", "org__area", "residence_community"
    )
    by_index = {m.id_number_index: m for m in found}
    return [by_index[i] for i in indexes]


def write_workflows(
    *,
    seed: int,
    plan: StreetPlan,
    people: list[MemberPlan],
    orgs: dict,
    areas: dict,
    elsewhere: list[str],
    today: datetime.date,
) -> None:
    """A handful of each workflow in one street, through the one-at-a-time services, as
    staff would do them: transfers (accepted, returned, withdrawn, pending), members going
    away with their activity certificates and registered where they arrive (verified,
    mismatched, not registered, back home), and dual reports of unit orgs and of
    in-service members with their service hours. `elsewhere` are community codes in
    other streets of the run, where transfers go and mobile members arrive."""
    rng = random.Random(f"jiceng-demo-workflows:{seed}:{plan.street.code}")
    communities = [a.code for a in plan.areas if a.level == "community"]
    elsewhere = elsewhere or communities
    residents = [
        p
        for p in people
        if p.org_key.startswith("c:") and p.facts.category in ("retired", "unemployed")
    ]
    workers = [p for p in people if p.org_key.startswith("c:") and p.facts.category == "in_service"]
    in_units = [p for p in people if p.unit_uscc and p.residence_code]
    _transfers(
        rng,
        _registered(rng.sample(residents, min(5, len(residents)))),
        orgs=orgs,
        near=communities,
        far=elsewhere,
    )
    _mobile(
        rng,
        plan,
        rng.sample(workers, min(5, len(workers))),
        areas=areas,
        far=elsewhere,
        today=today,
    )
    unit_orgs = [(u.org_key, u.community_code) for u in plan.units if u.category == OWN]
    _dual_reports(
        rng,
        _registered(rng.sample(in_units, min(10, len(in_units)))),
        rng.sample(unit_orgs, min(3, len(unit_orgs))),
        orgs=orgs,
        areas=areas,
        today=today,
    )


def _transfers(rng, members, *, orgs, near: list[str], far: list[str]) -> None:
    from jiceng.members import services

    for n, member in enumerate(members):
        pool = far if n in (1, 4) else near
        choices = [c for c in pool if f"c:{c}" in orgs and orgs[f"c:{c}"].pk != member.org_id]
        if not choices:
            continue
        target = orgs[f"c:{rng.choice(choices)}"]
        transfer = services.transfer_start(
            actor=None,
            member=member,
            to_org=target,
            reason=rng.choice(("迁居", "购房迁居", "随子女居住", "户籍迁移"))
            + f"至{target.area.name}",
        )
        if n in (0, 1):
            services.transfer_accept(actor=None, transfer=transfer)
        elif n == 2:
            services.transfer_return(
                actor=None, transfer=transfer, reason="介绍信信息与本人档案不符，请核对后重新发起"
            )
        elif n == 3:
            services.transfer_cancel(actor=None, transfer=transfer)
        # The last one stays pending: both sides see it in their lists.


OUT_OF_CITY = (
    "江苏省苏州市工业园区",
    "浙江省杭州市西湖区",
    "安徽省合肥市蜀山区",
    "广东省深圳市南山区",
)


def _mobile(rng, plan: StreetPlan, people: list[MemberPlan], *, areas, far, today) -> None:
    """Outflows with activity certificates: one registered where they arrived (verified),
    one with a mistyped certificate there (rejected), one out of the city, one back home,
    one long past the expected return; and a newcomer from another province whom no
    home org here has registered (pending)."""
    from jiceng.members import services

    members = _registered(people)
    for n, (person, member) in enumerate(zip(people, members, strict=True)):
        certificate = f"SH{plan.street.code[:9]}{n}{rng.randrange(1000):03d}"
        if n == 4:
            left = today - datetime.timedelta(days=rng.randint(300, 500))
            expected = left + datetime.timedelta(days=180)
        else:
            left = today - datetime.timedelta(days=rng.randint(20, 250))
            expected = left + datetime.timedelta(days=rng.choice((180, 365, 730)))
        arrival = areas[rng.choice(far)] if n in (0, 2) else None
        destination = (
            f"上海市{arrival.parent.name}{arrival.name}辖区" if arrival else rng.choice(OUT_OF_CITY)
        )
        outflow = services.outflow_register(
            actor=None,
            member=member,
            certificate_number=certificate,
            destination=destination,
            reason=rng.choice(("外出务工", "异地工作", "随子女居住")),
            left_on=left,
            expected_return_on=expected,
        )
        if arrival is not None:
            services.inflow_register(
                actor=None,
                community=arrival,
                name=member.name,
                id_number=person.facts.id_number,
                certificate_number=certificate if n == 0 else certificate[:-1] + "X",
                home_org_name=member.org.name,
                registered_on=min(today, left + datetime.timedelta(days=rng.randint(2, 12))),
            )
        if n == 3:
            services.outflow_return(
                actor=None,
                outflow=outflow,
                returned_on=min(today, left + datetime.timedelta(days=rng.randint(15, 60))),
            )
    communities = [a.code for a in plan.areas if a.level == "community"]
    birth = datetime.date(rng.randint(1975, 1998), rng.randint(1, 12), rng.randint(1, 28))
    male = rng.random() < 0.6
    body = f"{rng.choice(PROVINCE_CODES)}{birth:%Y%m%d}9{rng.randrange(50):02d}"
    body = body[:16] + str(int(body[16]) // 2 * 2 + (1 if male else 0))
    services.inflow_register(
        actor=None,
        community=areas[rng.choice(communities)],
        name=names.person_name(rng, "male" if male else "female"),
        id_number=body + id_check_character(body),
        certificate_number=f"WD{rng.randrange(10**8):08d}",
        home_org_name="中共"
        + rng.choice(("昆山市玉山镇", "慈溪市浒山街道", "六安市金安区"))
        + "某村委员会",
        registered_on=today - datetime.timedelta(days=rng.randint(3, 40)),
    )


SERVICE_POSTS = ("楼组长助理", "垃圾分类督导", "助老志愿者", "文明劝导员", "社区议事会成员")
SERVICE_TASKS = ("垃圾分类值守", "为独居老人送餐", "社区巡查", "健康讲座", "便民服务", "助学辅导")


def _dual_reports(rng, members, unit_orgs, *, orgs, areas, today) -> None:
    """Unit orgs report to the community they sit in; in-service members to the
    community they live in, often in another street; each gets a post and a few
    service records over the past three months."""
    from jiceng.members import services

    reports = []
    for org_key, community_code in unit_orgs:
        reports.append(
            services.dual_report_unit_org(
                actor=None,
                unit_org=orgs[org_key],
                community=areas[community_code],
                reported_on=today - datetime.timedelta(days=rng.randint(60, 900)),
            )
        )
    for member in members:
        if member.category != "in_service":
            continue
        reports.append(
            services.dual_report_member(
                actor=None,
                member=member,
                reported_on=today - datetime.timedelta(days=rng.randint(30, 700)),
            )
        )
    for report in reports:
        services.dual_report_assign_post(
            actor=None, report=report, service_post=rng.choice(SERVICE_POSTS)
        )
        for _ in range(rng.randint(1, 3)):
            services.service_record_add(
                actor=None,
                report=report,
                task=rng.choice(SERVICE_TASKS),
                served_on=today - datetime.timedelta(days=rng.randint(1, 90)),
                hours=rng.choice((1, 1.5, 2, 3, 4)),
            )

"""The demo street's daily life: party members with transfers, mobile members and dual
reporting, and a year of residents' appeals, all through the services.

Planned per community from the demo seed, so the same seed gives the same people and
cases. Appeals are filed, handled, rated and reopened through the appeal services at
the moment the demo runs; `_place_in_time` then moves each case's stored times back to
its planned day within the past year (the one demo-only write outside a service, done
so the rates and rankings have a history) and the monthly counters are rebuilt from the
cases, exactly as `jiceng appeals-rollup --rebuild` would.
"""

import datetime
import random

from django.utils import timezone

from jiceng.appeals import rollup
from jiceng.appeals import services as appeal_services
from jiceng.appeals.deadlines import check_deadlines
from jiceng.appeals.models import Appeal, AppealEvent, Category, HandlingUnit
from jiceng.core import crypto
from jiceng.core.models import Area
from jiceng.core.validators import id_check_character
from jiceng.demo.names import person_name
from jiceng.members import services as member_services
from jiceng.members.models import Member
from jiceng.orgs.models import PartyOrg

MEMBERS_PER_COMMUNITY = 100
CASES_PER_YEAR = 120
EDUCATION_BY_DECADE = {
    1930: ["junior_or_below"] * 5 + ["high_school"] * 3 + ["secondary_vocational"],
    1940: ["junior_or_below"] * 4 + ["high_school"] * 3 + ["secondary_vocational", "college"],
    1950: ["junior_or_below"] * 3 + ["high_school"] * 3 + ["college"] * 2 + ["bachelor"],
    1960: ["high_school"] * 3 + ["college"] * 3 + ["bachelor"] * 2 + ["secondary_vocational"],
    1970: ["college"] * 3 + ["bachelor"] * 4 + ["high_school", "postgraduate"],
    1980: ["bachelor"] * 5 + ["college"] * 2 + ["postgraduate"] * 2,
    1990: ["bachelor"] * 5 + ["postgraduate"] * 3 + ["college"],
    2000: ["bachelor"] * 5 + ["postgraduate"] * 2 + ["college"] * 2,
}
ETHNICITIES = ["汉族"] * 46 + ["回族", "满族", "蒙古族", "朝鲜族"]
CATEGORY_WEIGHTS = {
    "sanitation": 14, "street-order": 8, "greening": 4, "noise-construction": 6,
    "noise-neighbour": 8, "noise-business": 4, "property-service": 12, "property-fee": 4,
    "elevator": 4, "housing-danger": 2, "leak": 6, "water-supply": 3, "gas-heating": 2,
    "road-damage": 4, "parking": 6, "illegal-building": 3, "elderly-service": 4,
    "community-facility": 3, "neighbour-dispute": 4, "property-dispute": 2, "family-dispute": 1,
    "other": 3,
}  # fmt: skip
TEXTS = {
    "sanitation": ["楼道口垃圾桶满溢无人清运", "小区垃圾房异味严重", "大件垃圾堆放多日"],
    "street-order": ["路口有占道经营的摊位", "人行道上堆放杂物"],
    "noise-construction": ["夜间施工噪音扰民", "工地清晨六点前开工"],
    "noise-neighbour": ["楼上深夜噪音", "邻居装修噪音持续"],
    "property-service": ["物业报修多日无人处理", "小区门禁损坏"],
    "leak": ["楼上渗水到我家天花板", "外墙渗水"],
    "parking": ["小区车位紧张乱停车", "消防通道被占用"],
    "neighbour-dispute": ["邻里因漏水产生纠纷", "楼道堆物引发邻里争执"],
}
DEPARTMENTS = {
    "城管执法局": ["illegal-building", "street-order", "noise-construction"],
    "房屋管理局": ["property-service", "property-fee", "housing-danger", "leak", "elevator"],
}


def _community_orgs(community: Area) -> list[PartyOrg]:
    return list(
        PartyOrg.objects.filter(area__path__startswith=community.path, closed_on__isnull=True)
        .exclude(kind=PartyOrg.Kind.GROUP)
        .order_by("path")
    )


def _id_number(rng: random.Random, used: set[str], birth: datetime.date, gender: str) -> str:
    while True:
        seq = rng.randrange(500) * 2 + (1 if gender == "male" else 0)
        body = f"310104{birth:%Y%m%d}{seq:03d}"
        if body not in used:
            used.add(body)
            return body + id_check_character(body)


def _member_facts(rng: random.Random, used: set[str], *, category: str):
    gender = "male" if rng.random() < 0.55 else "female"
    if category == "retired":
        birth_year = rng.randint(1935, 1964)
    elif category == "student":
        birth_year = rng.randint(2000, 2006)
    else:
        birth_year = rng.randint(1966, 2000)
    birth = datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
    joined = birth.replace(year=min(birth.year + rng.randint(18, 40), 2024))
    if category == "student":
        joined = birth.replace(year=birth.year + 19)
    # Full membership comes a year after joining, and not after today.
    probationary = (joined.year >= 2024 and rng.random() < 0.6) or (
        joined + datetime.timedelta(days=366) > timezone.localdate()
    )
    decade = min(max(birth_year // 10 * 10, 1930), 2000)
    return member_services.MemberFacts(
        name=person_name(rng, gender),
        id_number=_id_number(rng, used, birth, gender),
        ethnicity=rng.choice(ETHNICITIES),
        education=rng.choice(EDUCATION_BY_DECADE[decade]),
        joined_on=joined,
        status="probationary" if probationary else "full",
        category=category,
        full_on=None if probationary else joined + datetime.timedelta(days=366),
        phone=f"13{rng.randrange(10**9):09d}",
    )


def fill_members(*, seed: int, street: Area) -> int:
    """About MEMBERS_PER_COMMUNITY members per community of the street: retired residents
    in the community's own org, in-service members in the unit orgs located there."""
    used: set[str] = set()
    created = 0
    communities = list(Area.objects.filter(parent=street, level="community").order_by("code"))
    for community in communities:
        rng = random.Random(f"jiceng-demo-life:{seed}:{community.code}")
        orgs = _community_orgs(community)
        if not orgs:
            continue
        home = orgs[0]
        unit_orgs = orgs[1:]
        batches: dict[int, list] = {}
        for n in range(MEMBERS_PER_COMMUNITY):
            if unit_orgs and n % 3 == 0:
                org = unit_orgs[n % len(unit_orgs)]
                category = "in_service"
            else:
                org = home
                category = rng.choice(
                    ["retired"] * 6 + ["in_service"] * 2 + ["unemployed", "student"]
                )
            facts = member_services.clean_member_facts(_member_facts(rng, used, category=category))
            batches.setdefault(org.pk, []).append((facts, community))
        for org in orgs:
            rows = batches.get(org.pk)
            if rows:
                created += member_services.member_bulk_register(
                    actor=None, org=org, rows=rows, note="演示数据", data={"demo": seed}
                )
    _member_workflows(seed=seed, street=street, communities=communities)
    return created


def _member_workflows(*, seed: int, street: Area, communities: list[Area]) -> None:
    """A few of each workflow, so every ledger and list has something to show."""
    rng = random.Random(f"jiceng-demo-life:{seed}:{street.code}:workflows")
    homes = [orgs[0] for c in communities if (orgs := _community_orgs(c))]
    if len(homes) < 2:
        return
    for i, home in enumerate(homes[:6]):
        members = list(Member.objects.filter(org=home).order_by("id")[:12])
        if len(members) < 8:
            continue
        target = homes[(i + 1) % len(homes)]
        transfer = member_services.transfer_start(
            actor=None, member=members[0], to_org=target, reason="迁居至本街道其他社区"
        )
        if i % 2 == 0:
            member_services.transfer_accept(actor=None, transfer=transfer)
        # Mobile members: one verified arrival elsewhere, one with a wrong certificate.
        for j, member in enumerate(members[1:3]):
            certificate = f"HD{seed}{home.pk:05d}{j}"
            left = timezone.localdate() - datetime.timedelta(days=rng.randint(20, 200))
            member_services.outflow_register(
                actor=None,
                member=member,
                certificate_number=certificate,
                destination="江苏省苏州市工业园区",
                left_on=left,
                expected_return_on=left + datetime.timedelta(days=rng.choice([90, 180, 365])),
            )
            member_services.inflow_register(
                actor=None,
                community=communities[(i + 2) % len(communities)],
                name=member.name,
                # The system reads the number it stored; people reveal it through the
                # audited service.
                id_number=crypto.decrypt(member.id_number_encrypted),
                certificate_number=certificate if j == 0 else certificate + "X",
                home_org_name=home.name,
                registered_on=left + datetime.timedelta(days=3),
            )
        # Dual reporting of in-service residents, with a few hours of service each.
        for member in members[3:8]:
            if member.category != "in_service":
                continue
            report = member_services.dual_report_member(actor=None, member=member)
            member_services.dual_report_assign_post(
                actor=None,
                report=report,
                service_post=rng.choice(["楼组长助理", "垃圾分类督导", "助老志愿者"]),
            )
            for _k in range(rng.randint(1, 3)):
                member_services.service_record_add(
                    actor=None,
                    report=report,
                    task=rng.choice(["垃圾分类值守", "为独居老人送餐", "社区巡查"]),
                    served_on=timezone.localdate() - datetime.timedelta(days=rng.randint(1, 90)),
                    hours=rng.choice([1, 1.5, 2, 3]),
                )


def fill_appeals(*, seed: int, street: Area, district: Area) -> int:
    """Handling units, routing rules and a year of cases in the street."""
    from jiceng.appeals.taxonomy import ensure_categories

    # The categories come with a migration; a database emptied since (a flush) gets
    # them back, so the demo never depends on how the database was prepared.
    ensure_categories()
    communities = list(Area.objects.filter(parent=street, level="community").order_by("code"))
    for community in communities:
        unit = appeal_services.handling_unit_create(
            actor=None, name=f"{community.name}", kind="community", area=community
        )
        appeal_services.routing_rule_set(actor=None, area=community, unit=unit)
    street_unit = appeal_services.handling_unit_create(
        actor=None, name=f"{street.name}办事处", kind="street", area=street
    )
    appeal_services.routing_rule_set(actor=None, area=street, unit=street_unit)
    departments = []
    for name, codes in DEPARTMENTS.items():
        unit = appeal_services.handling_unit_create(
            actor=None, name=f"{district.name}{name}", kind="department", area=district
        )
        departments.append(unit)
        for code in codes:
            appeal_services.routing_rule_set(
                actor=None, area=district, unit=unit, category=Category.objects.get(code=code)
            )
    from jiceng.accounts.models import User

    department_user = User.objects.filter(username="demo_department").first()
    if department_user is not None:
        appeal_services.handler_add(actor=None, unit=departments[0], user=department_user)

    rng = random.Random(f"jiceng-demo-life:{seed}:{street.code}:appeals")
    categories = {c.code: c for c in Category.objects.all()}
    codes = list(CATEGORY_WEIGHTS)
    grids = {
        c.pk: list(Area.objects.filter(parent=c, level="grid").order_by("code"))
        for c in communities
    }
    today = timezone.localdate()
    plans = []
    for n in range(CASES_PER_YEAR):
        code = rng.choices(codes, weights=[CATEGORY_WEIGHTS[c] for c in codes])[0]
        community = communities[rng.randrange(len(communities))]
        place = rng.choice(grids[community.pk] or [community])
        day = today - datetime.timedelta(days=rng.randint(1, 365))
        text = rng.choice(TEXTS.get(code, [categories[code].name])) + f"（{place.name}）"
        appeal, _created = appeal_services.appeal_intake(
            actor=None,
            intake=appeal_services.Intake(
                channel=rng.choice(["resident", "hotline", "hotline", "grid"]),
                category=categories[code],
                area=place,
                description=text,
                client="demo",
                idempotency_key=f"demo-{seed}-{street.code}-{n}",
            ),
        )
        plans.append((appeal, day, _handle(rng, appeal, street_unit, departments)))
    for appeal, day, timing in plans:
        _place_in_time(appeal, day, timing, rng)
    check_deadlines()
    rollup.rebuild()
    return len(plans)


def _handle(rng, appeal: Appeal, street_unit, departments) -> dict:
    """Take a case as far as it plausibly went; returns hours from receipt of each step."""
    if appeal.state == Appeal.State.RECEIVED:
        appeal_services.appeal_dispatch(actor=None, appeal=appeal, unit=street_unit)
    timing = {"accept": rng.choice([1, 2, 4, 8, 20, 30])}
    if rng.random() < 0.05:
        appeal_services.appeal_return(actor=None, appeal=appeal, reason="不属于本单位职责")
        appeal_services.appeal_dispatch(actor=None, appeal=appeal, unit=street_unit)
    if rng.random() < 0.08:
        return timing  # still waiting to be signed for
    appeal_services.appeal_accept(actor=None, appeal=appeal)
    if rng.random() < 0.04:
        summons = appeal_services.summons_create(
            actor=None, appeal=appeal, units=departments[:1], reason="需要执法部门联合处置"
        )
        appeal_services.summons_report(actor=None, target=summons.targets.first())
    if appeal.category.is_mediation:
        appeal_services.mediation_record(
            actor=None,
            appeal=appeal,
            parties=[person_name(rng), person_name(rng)],
            outcome=rng.choice(["agreed", "agreed", "partial", "failed"]),
            mediator="人民调解员" + person_name(rng),
        )
    if rng.random() < 0.1:
        return timing  # in progress
    timing["reply"] = rng.choice([12, 30, 50, 80, 120, 200])
    appeal_services.appeal_reply(actor=None, appeal=appeal, reply="已到现场核实并处理完毕")
    if rng.random() < 0.2:
        return timing  # not rated (closed by the deadline check later)
    timing["rate"] = timing["reply"] + rng.choice([2, 10, 30])
    satisfaction = rng.choices(["satisfied", "basically", "unsatisfied"], [60, 25, 15])[0]
    appeal_services.appeal_rate(
        appeal=appeal, resolved=satisfaction != "unsatisfied", satisfaction=satisfaction
    )
    return timing


def _place_in_time(appeal: Appeal, day: datetime.date, timing: dict, rng) -> None:
    """Move a demo case's stored times to its planned day (demo only; see module doc)."""
    tz = timezone.get_current_timezone()
    received = datetime.datetime.combine(
        day, datetime.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=tz
    )
    appeal.refresh_from_db()
    response_due, resolution_due = appeal_services.deadlines(appeal.category, received)
    shift = received - appeal.received_at

    def at(key):
        return received + datetime.timedelta(hours=timing[key]) if key in timing else None

    fields = {
        "received_at": received,
        "response_due_at": response_due,
        "resolution_due_at": resolution_due,
        "responded_at": at("accept") if appeal.responded_at else None,
        "replied_at": at("reply") if appeal.replied_at else None,
        "rated_at": at("rate") if appeal.rated_at else None,
        "closed_at": at("rate") if appeal.closed_at else None,
    }
    Appeal.objects.filter(pk=appeal.pk).update(**fields)
    moments = {
        "accept": at("accept"),
        "reply": at("reply"),
        "rate": at("rate"),
        "close": at("rate"),
    }
    for event in AppealEvent.objects.filter(appeal=appeal):
        moment = moments.get(event.action) or event.at + shift
        AppealEvent.objects.filter(pk=event.pk).update(at=moment)


def fill(*, seed: int, anchors) -> dict[str, int]:
    """Members and appeals for the demo street (the street every scale contains)."""
    street = anchors.street
    members = fill_members(seed=seed, street=street)
    cases = fill_appeals(seed=seed, street=street, district=anchors.district)
    return {"members": members, "appeals": cases, "handling_units": HandlingUnit.objects.count()}

"""A year of residents' appeals in every street, through the appeal services.

Who handles what: each residents' committee (居委会) is a handling unit for its
community, each street office for its street, and the district's departments for the
matters that are theirs (城管执法 for illegal building and street order, 房管 for
property fees, dangerous housing and lifts, …). Routing rules say the same thing: a
community's rule for any category sends its cases to its committee, and on each
community a rule per department category sends those to the department (a community's
any-category rule is deeper than a district rule, so a department's rules sit on each
community; they are written in one bulk call per district).

Time: the year ends at the start of the day the demo runs (`cutoff_for`), so queues,
rates and rankings are current and two runs on one day give the same cases. Each case is
planned with the time of each step — received, dispatched (by the rules, or by the
street from its queue), sometimes returned and dispatched again, signed for, worked on,
whistled (吹哨) to departments, mediated, answered, rated, reopened after an unsatisfied
rating, or closed by the system when nobody rated — and written by
`appeals.services.appeal_bulk_create`, which replays every step through the live
services' rules at its time (deadlines from the category, clocks that ran out marked
overdue and escalated once) and keeps the monthly counters in the same transaction.
Steps after the cut-off are not taken yet: recent cases are still open. Nothing rewrites
stored times afterwards. `check_deadlines` then runs as the cron job would, and a few of
today's cases in the demo street go through the live services one by one.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Category, HandlingUnit
from jiceng.appeals.services import CaseRecord, CaseStep, Intake
from jiceng.demo import names
from jiceng.demo.plan import StreetPlan

CLIENT = "demo"
SYSTEM = "system"

# District departments: (name after the district's, categories they handle).
DEPARTMENTS = (
    ("城市管理行政执法局", ("illegal-building", "street-order", "noise-construction",
                          "noise-business")),
    ("房屋管理局", ("property-fee", "housing-danger", "elevator")),
    ("建设和管理委员会", ("road-damage", "gas-heating")),
    ("绿化和市容管理局", ("greening",)),
    ("水务局", ("water-supply",)),
)  # fmt: skip
DEPARTMENT_OF = {code: name for name, codes in DEPARTMENTS for code in codes}

CATEGORY_WEIGHTS = {
    "sanitation": 13, "street-order": 8, "greening": 4, "noise-construction": 6,
    "noise-neighbour": 8, "noise-business": 4, "property-service": 12, "property-fee": 4,
    "elevator": 4, "housing-danger": 2, "leak": 6, "water-supply": 3, "gas-heating": 2,
    "road-damage": 4, "parking": 7, "illegal-building": 3, "elderly-service": 4,
    "community-facility": 3, "neighbour-dispute": 4, "property-dispute": 2,
    "family-dispute": 1, "other": 3,
}  # fmt: skip
TEXTS = {
    "sanitation": ("楼道口垃圾桶满溢无人清运", "小区垃圾房异味严重", "大件垃圾堆放多日未清运",
                   "湿垃圾桶破损污水外流"),
    "street-order": ("路口有占道经营的摊位", "人行道上堆放杂物影响通行", "商铺跨门营业"),
    "greening": ("小区树木遮挡采光，请求修剪", "绿化带杂草丛生", "台风后树枝折断悬挂"),
    "noise-construction": ("夜间施工噪音扰民", "工地清晨六点前开工", "周末装修电钻声持续"),
    "noise-neighbour": ("楼上深夜噪音", "邻居装修噪音持续", "楼下广场舞音响过大"),
    "noise-business": ("沿街饭店排风扇噪音", "酒吧深夜音乐扰民"),
    "property-service": ("物业报修多日无人处理", "小区门禁损坏", "楼道灯不亮"),
    "property-fee": ("物业费上涨未经业主同意", "维修资金使用不公开"),
    "elevator": ("电梯经常停运", "电梯运行有异响", "电梯困人后维保迟迟不到"),
    "housing-danger": ("阳台外墙瓷砖脱落", "老房子楼梯扶手松动", "外墙空调架锈蚀"),
    "leak": ("楼上渗水到我家天花板", "外墙渗水", "屋顶漏水"),
    "water-supply": ("自来水发黄", "楼层水压不足", "突然停水无通知"),
    "gas-heating": ("楼道内有燃气味", "燃气表漏气"),
    "road-damage": ("路面坑洼积水", "窨井盖缺失", "人行道地砖松动"),
    "parking": ("小区车位紧张乱停车", "消防通道被占用", "共享单车堆放堵路"),
    "illegal-building": ("楼顶违章搭建", "底楼住户私自扩建", "沿街门面违规改建"),
    "elderly-service": ("独居老人需要助餐服务", "申请居家养老服务", "老人日间照料中心名额"),
    "community-facility": ("小区健身器材损坏", "社区活动室开放时间短"),
    "neighbour-dispute": ("邻里因漏水产生纠纷", "楼道堆物引发邻里争执", "宠物扰邻起纠纷"),
    "property-dispute": ("业主与物业就停车费起纠纷", "业主委员会与物业矛盾"),
    "family-dispute": ("家庭赡养纠纷", "子女探视老人起争执"),
    "other": ("咨询社区办事流程", "建议增设公交站点"),
}  # fmt: skip
REPLIES = (
    "已到现场核实并处理完毕",
    "已联系相关责任方整改，经回访已解决",
    "已安排人员清理，后续加强巡查",
    "已约谈当事方，问题已协调解决",
    "已作解释说明，并告知后续办理渠道",
)
RETURN_REASONS = ("不属于本单位职责", "地址不在本辖区", "需由职能部门处置")
SUMMONS_REASONS = (
    "需要执法部门联合处置",
    "涉及多个部门职责，需现场会商",
    "屡查屡犯，请部门联合执法",
)
CHANNELS = {"hotline": 55, "resident": 20, "grid": 20, "api": 5}
HOURS = [1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 7, 8, 9, 9, 8, 7, 6, 6, 5, 4, 2, 1]
# Summer brings noise, water and greening calls.
MONTH_WEIGHTS = [8, 7, 8, 8, 9, 9, 11, 11, 9, 8, 8, 8]
STUCK_SHARE = 0.005


def cutoff_for(now: datetime.datetime | None = None) -> datetime.datetime:
    """The start of today, local time: the demo's year of cases ends here."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def street_office_name(street_name: str) -> str:
    if street_name.endswith("街道"):
        return f"{street_name}办事处"
    if street_name.endswith(("镇", "乡")):
        return f"{street_name}人民政府"
    return f"{street_name}管理委员会"


@dataclass
class DistrictUnits:
    """The handling units of one district, by what they answer for."""

    community: dict[str, HandlingUnit]  # by community code
    street: dict[str, HandlingUnit]  # by street code
    department: dict[str, HandlingUnit]  # by department name (without the district's)


def write_units_and_rules(
    *, district_area, plans: list[StreetPlan], areas: dict, categories: dict[str, Category]
) -> DistrictUnits:
    """Handling units of the district and the routing rules that send each case to them,
    through the bulk services (one audit entry each)."""
    rows = [
        appeal_services.HandlingUnitRow(name=f"{district_area.name}{name}", kind="department",
                                        area=district_area)
        for name, _codes in DEPARTMENTS
    ]  # fmt: skip
    for plan in plans:
        street = areas[plan.street.code]
        rows.append(
            appeal_services.HandlingUnitRow(
                name=street_office_name(street.name), kind="street", area=street
            )
        )
        for row in plan.areas:
            if row.level == "community":
                rows.append(
                    appeal_services.HandlingUnitRow(
                        name=row.name, kind="community", area=areas[row.code]
                    )
                )
    units = appeal_services.handling_unit_bulk_create(actor=None, rows=rows)
    result = DistrictUnits(community={}, street={}, department={})
    prefix = len(district_area.name)
    for unit in units:
        if unit.kind == "department":
            result.department[unit.name[prefix:]] = unit
        elif unit.kind == "street":
            result.street[unit.area.code] = unit
        else:
            result.community[unit.area.code] = unit
    rules = [
        appeal_services.RoutingRuleRow(area=district_area, unit=result.department[name],
                                       category=categories[code])
        for code, name in DEPARTMENT_OF.items()
    ]  # fmt: skip
    for code, unit in result.street.items():
        rules.append(appeal_services.RoutingRuleRow(area=areas[code], unit=unit))
    for code, unit in result.community.items():
        area = areas[code]
        rules.append(appeal_services.RoutingRuleRow(area=area, unit=unit))
        rules.extend(
            appeal_services.RoutingRuleRow(
                area=area, unit=result.department[name], category=categories[category]
            )
            for category, name in DEPARTMENT_OF.items()
        )
    appeal_services.routing_rule_bulk_set(actor=None, rows=rules)
    return result


class _Clock:
    """Step times of one case: never before the previous step, never after the cut-off
    (a step that would come later has not happened yet, nor has anything after it)."""

    def __init__(self, start: datetime.datetime, cutoff: datetime.datetime) -> None:
        self.now = start
        self.cutoff = cutoff
        self.steps: list[CaseStep] = []
        self.done = False

    def at(self, moment: datetime.datetime) -> datetime.datetime:
        return max(moment, self.now)

    def add(self, step: CaseStep) -> bool:
        if self.done or step.at > self.cutoff:
            self.done = True
            return False
        step.at = max(step.at, self.now)
        self.now = step.at
        self.steps.append(step)
        return True


def _hours(value: float) -> datetime.timedelta:
    return datetime.timedelta(hours=value)


def _due_time(rng, start, due, *, late_share: float) -> datetime.datetime:
    """A moment before `due` (most of the time) or after it."""
    span = max((due - start).total_seconds(), 600)
    if rng.random() < late_share:
        return due + datetime.timedelta(seconds=span * rng.uniform(0.05, 1.2))
    return start + datetime.timedelta(seconds=span * rng.triangular(0.03, 0.95, 0.3))


def plan_street_cases(
    *,
    seed: int,
    plan: StreetPlan,
    areas: dict,
    units: DistrictUnits,
    categories: dict[str, Category],
    per_community: int,
    cutoff: datetime.datetime,
) -> list[CaseRecord]:
    """A year of one street's cases, each with the steps it took before the cut-off."""
    rng = random.Random(f"jiceng-demo-cases:{seed}:{plan.street.code}")
    communities = [a.code for a in plan.areas if a.level == "community"]
    places: dict[str, list[str]] = {c: [] for c in communities}
    for row in plan.areas:
        if row.level == "grid":
            places[row.parent_code].append(row.code)
    for row in plan.areas:
        if row.level == "building":
            places[row.parent_code[:12]].append(row.code)
    street_unit = units.street[plan.street.code]
    codes = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    count = round(per_community * len(communities) * rng.uniform(0.85, 1.15))
    staff = names.person_name(rng)
    cases = []
    for number in range(count):
        category = categories[rng.choices(codes, weights=weights)[0]]
        community = rng.choice(communities)
        place = areas[rng.choice(places[community] or [community])]
        while True:  # a day of the past year, summer months a little busier
            day = (cutoff - datetime.timedelta(days=rng.randint(1, 365))).date()
            if rng.random() * max(MONTH_WEIGHTS) < MONTH_WEIGHTS[day.month - 1]:
                break
        received = datetime.datetime.combine(
            day,
            datetime.time(rng.choices(range(24), weights=HOURS)[0], rng.randrange(60)),
            tzinfo=cutoff.tzinfo,
        )
        channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        contact = channel in ("hotline", "resident") and rng.random() < 0.85
        text = rng.choice(TEXTS[category.code])
        intake = Intake(
            channel=channel,
            category=category,
            area=place,
            description=f"{text}（{place.name}）" if place.level != "community" else text,
            contact_name=names.person_name(rng) if contact else "",
            contact_phone=(f"13{rng.randrange(10**9):09d}" if contact else ""),
            client=CLIENT,
            idempotency_key=f"{seed}-{plan.street.code}-{number}",
        )
        steps = _life(
            rng,
            category=category,
            received=received,
            cutoff=cutoff,
            community_unit=units.community[community],
            street_unit=street_unit,
            departments=units.department,
            staff=staff,
        )
        cases.append(CaseRecord(intake=intake, received_at=received, steps=steps))
    return cases


def _life(
    rng,
    *,
    category: Category,
    received: datetime.datetime,
    cutoff: datetime.datetime,
    community_unit: HandlingUnit,
    street_unit: HandlingUnit,
    departments: dict[str, HandlingUnit],
    staff: str,
) -> list[CaseStep]:
    clock = _Clock(received, cutoff)
    department = DEPARTMENT_OF.get(category.code)
    routed = departments[department] if department else community_unit
    unit_label = routed.name
    response_due, resolution_due = appeal_services.deadlines(category, received)
    # Dispatch: by the rules within minutes, or from the street's queue (a possible
    # duplicate, an address the rules do not cover) within hours.
    if rng.random() < 0.03:
        dispatch = CaseStep(
            "dispatch", received + _hours(rng.uniform(0.5, 6)), unit=routed, actor_label=staff
        )
    else:
        dispatch = CaseStep(
            "dispatch", received + _hours(rng.uniform(0.01, 0.2)), unit=routed, actor_label=SYSTEM
        )
    if not clock.add(dispatch):
        return clock.steps
    holder = routed
    if rng.random() < 0.04:
        # 退单: the unit says the case is not theirs; the street sends it elsewhere.
        returned = clock.now + _hours(rng.uniform(0.5, 12))
        if not clock.add(
            CaseStep("return", returned, note=rng.choice(RETURN_REASONS), actor_label=unit_label)
        ):
            return clock.steps
        holder = street_unit if holder is not street_unit else community_unit
        unit_label = holder.name
        if not clock.add(
            CaseStep(
                "dispatch", clock.now + _hours(rng.uniform(0.3, 4)), unit=holder, actor_label=staff
            )
        ):
            return clock.steps
    accepted = _due_time(rng, clock.now, clock.at(response_due), late_share=0.08)
    if not clock.add(CaseStep("accept", accepted, actor_label=unit_label)):
        return clock.steps
    if rng.random() < STUCK_SHARE:
        return clock.steps  # a hard case, still being worked on
    if rng.random() < 0.45:
        clock.add(
            CaseStep("start", clock.now + _hours(rng.uniform(0.2, 12)), actor_label=unit_label)
        )
    if holder.kind != "department" and rng.random() < 0.03:
        summoned = rng.sample(list(departments.values()), rng.choice((1, 1, 2)))
        at = clock.now + _hours(rng.uniform(1, 24))
        if not clock.add(
            CaseStep(
                "summon", at, units=summoned, note=rng.choice(SUMMONS_REASONS), actor_label=staff
            )
        ):
            return clock.steps
        for unit in summoned:
            if not clock.add(
                CaseStep(
                    "summons_report",
                    at + _hours(rng.uniform(0.5, 20)),
                    unit=unit,
                    actor_label=unit.name,
                )
            ):
                return clock.steps
        for unit in summoned:
            if not clock.add(
                CaseStep(
                    "summons_act",
                    clock.now + _hours(rng.uniform(2, 60)),
                    unit=unit,
                    note="已到现场联合处置",
                    actor_label=unit.name,
                )
            ):
                return clock.steps
    if category.is_mediation:
        outcome = rng.choices(("agreed", "partial", "failed"), weights=(70, 20, 10))[0]
        if not clock.add(
            CaseStep(
                "mediation",
                clock.now + _hours(rng.uniform(4, 72)),
                parties=[names.person_name(rng), names.person_name(rng)],
                outcome=outcome,
                note="双方达成调解协议" if outcome == "agreed" else "",
                mediator="人民调解员" + names.person_name(rng),
                actor_label=unit_label,
            )
        ):
            return clock.steps
    if not _reply_and_rate(rng, clock, received, resolution_due, unit_label):
        return clock.steps
    last = clock.steps[-1]
    if last.action == "rate" and last.satisfaction == "unsatisfied" and rng.random() < 0.6:
        # 重办: the resident asks again within the reopen period.
        limit = clock.steps[-2].at + datetime.timedelta(days=category.reopen_days)
        reopened = min(clock.now + _hours(rng.uniform(2, 72)), limit)
        if not clock.add(
            CaseStep("reopen", reopened, note="问题没有解决，申请重办", actor_label="来电人")
        ):
            return clock.steps
        if not clock.add(
            CaseStep(
                "dispatch", clock.now + _hours(rng.uniform(0.3, 4)), unit=holder, actor_label=staff
            )
        ):
            return clock.steps
        response_due, resolution_due = appeal_services.deadlines(category, reopened)
        accepted = _due_time(rng, clock.now, clock.at(response_due), late_share=0.05)
        if not clock.add(CaseStep("accept", accepted, actor_label=unit_label)):
            return clock.steps
        _reply_and_rate(rng, clock, reopened, resolution_due, unit_label, again=True)
    return clock.steps


def _reply_and_rate(rng, clock, start, resolution_due, unit_label, *, again=False) -> bool:
    """Answer, then the resident's rating (or the system's close when none comes)."""
    replied = _due_time(rng, clock.now, clock.at(resolution_due), late_share=0.1)
    if not clock.add(CaseStep("reply", replied, note=rng.choice(REPLIES), actor_label=unit_label)):
        return False
    if rng.random() < 0.25:
        # Not rated: the deadline check closes it seven days after the reply.
        close = replied + datetime.timedelta(days=7, minutes=rng.randint(1, 59))
        clock.add(CaseStep("close", close, note="逾期未评价，系统办结", actor_label=SYSTEM))
        return clock.done is False
    late = replied > resolution_due
    weights = (50, 25, 25) if late else (74, 16, 10)
    if again:
        weights = (55, 35, 10)
    satisfaction = rng.choices(("satisfied", "basically", "unsatisfied"), weights=weights)[0]
    resolved = satisfaction == "satisfied" or (satisfaction == "basically" and rng.random() < 0.9)
    return clock.add(
        CaseStep(
            "rate",
            replied + _hours(rng.uniform(0.5, 72)),
            resolved=resolved,
            satisfaction=satisfaction,
            actor_label="来电人",
        )
    )


def write_cases(cases: list[CaseRecord]) -> int:
    return appeal_services.appeal_bulk_create(actor=None, cases=cases)


def finish(*, seed: int, anchors, users: dict) -> None:
    """After every district: the demo department account joins its department's queue,
    the deadline check runs as the cron job would, and today's cases in the demo street
    go through the live services by the demo accounts."""
    from jiceng.appeals.overdue import check_deadlines

    units = anchors.handling_units
    if units is None or anchors.street is None:
        check_deadlines()
        return
    department = units.department[DEPARTMENTS[0][0]]
    appeal_services.handler_add(actor=None, unit=department, user=users["demo_department"])
    check_deadlines()
    _today(seed=seed, anchors=anchors, users=users, units=units, department=department)


def _today(*, seed: int, anchors, users: dict, units: DistrictUnits, department) -> None:
    """A dozen of today's cases, each left at a different step of its life."""
    from jiceng.appeals.models import Appeal

    rng = random.Random(f"jiceng-demo-today:{seed}")
    categories = {c.code: c for c in Category.objects.all()}
    community, grid = anchors.community, anchors.grid
    grid_worker, secretary = users["demo_grid"], users["demo_community"]
    street_staff, department_staff = users["demo_street"], users["demo_department"]
    numbers = iter(range(1000))

    committee = units.community[community.code]

    def intake(code, channel, *, actor=None, area=None, text=None, unit=None) -> Appeal:
        """File a case; then, if the rules did not send it to `unit` (a similar open
        case at the place holds it in the street's queue), the street sends it there."""
        place = area or grid
        appeal, _created = appeal_services.appeal_intake(
            actor=actor,
            intake=Intake(
                channel=channel,
                category=categories[code],
                area=place,
                description=text or f"{rng.choice(TEXTS[code])}（{place.name}）",
                contact_name=names.person_name(rng) if channel != "grid" else "",
                contact_phone=f"13{rng.randrange(10**9):09d}" if channel != "grid" else "",
                client=CLIENT,
                idempotency_key=f"{seed}-today-{next(numbers)}",
            ),
        )
        appeal.refresh_from_db()
        target = unit or committee
        if appeal.unit_id != target.pk:
            appeal_services.appeal_dispatch(actor=street_staff, appeal=appeal, unit=target)
            appeal.refresh_from_db()
        return appeal

    # Waiting for the committee to sign for it.
    intake("sanitation", "resident", text="楼道口垃圾桶满溢无人清运")
    # The same again at the same place: a possible duplicate, left in the street's queue.
    appeal_services.appeal_intake(
        actor=None,
        intake=Intake(
            channel="hotline",
            category=categories["sanitation"],
            area=grid,
            description="楼道口垃圾桶满溢无人清运，气味很大",
            client=CLIENT,
            idempotency_key=f"{seed}-today-{next(numbers)}",
        ),
    )
    # Signed for and being worked on.
    appeal = intake("property-service", "hotline", area=community)
    appeal_services.appeal_accept(actor=secretary, appeal=appeal)
    appeal_services.appeal_start(actor=secretary, appeal=appeal, note="已联系物业上门")
    # Answered, waiting for the resident's rating.
    appeal = intake("leak", "hotline", area=community)
    appeal_services.appeal_accept(actor=secretary, appeal=appeal)
    appeal_services.appeal_reply(actor=secretary, appeal=appeal, reply=REPLIES[1])
    # Answered and rated satisfied: closed.
    appeal = intake("noise-neighbour", "resident")
    appeal_services.appeal_accept(actor=secretary, appeal=appeal)
    appeal_services.appeal_reply(actor=secretary, appeal=appeal, reply=REPLIES[3])
    appeal_services.appeal_rate(appeal=appeal, resolved=True, satisfaction="satisfied")
    # Rated unsatisfied and reopened by the resident: back in the street's queue.
    appeal = intake("elderly-service", "hotline", area=community)
    appeal_services.appeal_accept(actor=secretary, appeal=appeal)
    appeal_services.appeal_reply(actor=secretary, appeal=appeal, reply=REPLIES[4])
    appeal_services.appeal_rate(appeal=appeal, resolved=False, satisfaction="unsatisfied")
    appeal_services.appeal_reopen(actor=None, appeal=appeal, reason="助餐点太远，老人无法前往")
    # Found on patrol by the grid worker, sent to the department, signed for there.
    appeal = intake("illegal-building", "grid", actor=grid_worker, unit=department)
    appeal_services.appeal_accept(actor=department_staff, appeal=appeal)
    # Sent to the department, which returns it: the street must send it elsewhere.
    appeal = intake("street-order", "grid", actor=grid_worker, unit=department)
    appeal_services.appeal_return(actor=department_staff, appeal=appeal, reason=RETURN_REASONS[1])
    # A dispute mediated by the committee, answered.
    appeal = intake("neighbour-dispute", "hotline", area=community)
    appeal_services.appeal_accept(actor=secretary, appeal=appeal)
    appeal_services.mediation_record(
        actor=secretary,
        appeal=appeal,
        parties=[names.person_name(rng), names.person_name(rng)],
        outcome="agreed",
        agreement="双方同意共同承担维修费用",
        mediator="人民调解员" + names.person_name(rng),
    )
    appeal_services.appeal_reply(actor=secretary, appeal=appeal, reply="经调解双方达成一致")
    # The street whistles for the department; the department reports, action pending.
    appeal = intake("parking", "hotline", area=community, text="消防通道被长期占用")
    appeal_services.appeal_accept(actor=secretary, appeal=appeal)
    summons = appeal_services.summons_create(
        actor=street_staff, appeal=appeal, units=[department], reason=SUMMONS_REASONS[0]
    )
    appeal_services.summons_report(actor=department_staff, target=summons.targets.first())

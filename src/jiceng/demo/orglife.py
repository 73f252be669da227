"""The demo street's organizational life, all through `orglife.services`: a year of
meetings for every org of the street that has required meetings (attendance from each
org's register; about one org in five deliberately behind), an appraisal with results on
members' files, decisions become tasks; deliberation topics at every step of 四议两公开
(one not passed), with issues from residents, a visit and an appeal; leaders' contact
points with visits and problems (resolved, assigned, handed to the appeals workflow);
members' household links and visits, a few raised matters forwarded.

Planned from the demo seed and placed relative to today. The year of meetings (about
2,200 for the street, with their attendance, tasks and appraisal results) is written by
`orglife.bulk.MeetingBatch`: the services' checks and rows in a few statements, where one
service call per meeting cost about 12 s of the street demo. Everything else goes through
the services one call at a time."""

import datetime
import random

from django.utils import timezone

from jiceng.appeals.models import Appeal, Category
from jiceng.core.models import Area
from jiceng.members.models import Member
from jiceng.orglife import services
from jiceng.orglife.bulk import MeetingBatch
from jiceng.orglife.compliance import periods
from jiceng.orglife.models import Attendance, MeetingKind, MeetingRequirement, Step
from jiceng.orgs.models import PartyOrg

TOPICS = {
    MeetingKind.MEMBER_MEETING: [
        "学习贯彻党的二十届四中全会精神",
        "讨论发展党员工作",
        "通报党费收缴情况",
    ],
    MeetingKind.COMMITTEE_MEETING: ["研究本月工作安排", "研究党员教育计划", "研究困难党员帮扶"],
    MeetingKind.GROUP_MEETING: ["学习党章", "交流志愿服务体会", "讨论楼组议题"],
    MeetingKind.LECTURE: ["书记讲党课：践行初心使命", "党史专题党课", "基层治理专题党课"],
    MeetingKind.THEMED_DAY: [
        "主题党日：楼道堆物清理",
        "主题党日：走访独居老人",
        "主题党日：垃圾分类宣传",
    ],
    MeetingKind.ORG_LIFE_REVIEW: ["年度组织生活会"],
    MeetingKind.MEMBER_APPRAISAL: ["年度民主评议党员"],
}
DELIBERATIONS = [
    ("老旧小区加装电梯", "部分楼栋居民提出加装电梯，需协商费用分摊和施工方案。"),
    ("小区停车位划线", "夜间车辆占用消防通道，需协商划线方案和收费办法。"),
    ("弄堂晾衣架改造", "居民反映晾衣架老化，需商议改造方案。"),
    ("社区微更新：口袋公园", "利用闲置地块建设口袋公园，征求居民意见。"),
    ("垃圾箱房迁移", "垃圾箱房离住户太近，需协商迁移位置。"),
    ("楼道照明改造", "多个楼栋照明老化，需商议改造和维护费用。"),
    ("非机动车充电棚建设", "电动车楼道充电存在火灾隐患，需建设集中充电棚。"),
    ("小区围墙修缮", "围墙破损，需商议维修资金使用。"),
]
RAISED = [
    "独居老人希望有人帮忙代购买菜",
    "楼道堆物堵塞消防通道",
    "楼上漏水影响楼下住户",
    "希望社区组织老年人智能手机培训",
    "小区停车难，建议商议划线方案",
    "",
    "",
]


def _day_in(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _marks(rng: random.Random, register: list[Member], kind: str) -> list[services.Mark]:
    """A plausible attendance: most present, a few excused, mobile members at their host
    orgs; for committee and group meetings only a handful of people."""
    if kind not in services.WHOLE_REGISTER:
        register = register[: min(len(register), rng.randint(3, 7))]
    marks = []
    for member in register:
        roll = rng.random()
        if member.category == Member.Category.MOBILE:
            if roll < 0.6:
                marks.append(
                    services.Mark(member.pk, Attendance.Status.ELSEWHERE, "在流入地党组织参加")
                )
            elif roll < 0.8:
                marks.append(services.Mark(member.pk, Attendance.Status.EXCUSED, "在外地务工"))
        elif roll < 0.82:
            marks.append(services.Mark(member.pk, Attendance.Status.PRESENT))
        elif roll < 0.94:
            reason = rng.choice(["出差", "就医", "照顾家人", "单位值班"])
            marks.append(services.Mark(member.pk, Attendance.Status.EXCUSED, reason))
    return marks


def fill_meetings(*, seed: int, street: Area) -> int:
    rng = random.Random(f"jiceng-demo-orglife:{seed}:{street.code}:meetings")
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    start = datetime.date(today.year, 1, 1)
    requirements = list(MeetingRequirement.objects.order_by("kind"))
    kinds = {k.strip() for r in requirements for k in r.org_kinds.split(",")}
    orgs = list(
        PartyOrg.objects.filter(
            area__path__startswith=street.path, kind__in=kinds, closed_on__isnull=True
        )
        .select_related("area", "parent")
        .order_by("path")
    )
    batch = MeetingBatch(actor=None)
    for index, org in enumerate(orgs):
        behind = index % 5 == 3  # some orgs deliberately behind
        for requirement in requirements:
            if not requirement.applies_to(org.kind):
                continue
            slots = periods(requirement.period, start, datetime.date(today.year, 12, 31))
            for period in slots:
                if period.start > yesterday:
                    break
                if behind and rng.random() < 0.4:
                    continue
                held_on = _day_in(rng, period.start, min(period.end, yesterday))
                if requirement.period == "year":
                    held_on = _day_in(
                        rng, start, min(start + datetime.timedelta(days=58), yesterday)
                    )
                kind = requirement.kind
                facts = services.MeetingFacts(
                    kind=kind,
                    held_on=held_on,
                    topic=rng.choice(TOPICS[kind]),
                    place=f"{org.area.name.removesuffix('居委会')}党群服务站",
                    presider=org.secretary_name,
                    lecturer=org.secretary_name if kind == MeetingKind.LECTURE else "",
                    minutes="演示数据：会议记录。\n一、学习文件\n二、讨论发言\n三、形成决定",
                    decisions="组织党员开展楼道清理"
                    if kind == MeetingKind.COMMITTEE_MEETING
                    else "",
                )
                planned = batch.add(
                    org=org,
                    facts=facts,
                    attendance=_marks(rng, batch.register(org, held_on), kind),
                )
                if kind == MeetingKind.COMMITTEE_MEETING and rng.random() < 0.15:
                    batch.add_task(
                        planned,
                        decision="组织党员开展楼道清理",
                        deadline=held_on + datetime.timedelta(days=rng.choice([14, 30, 60])),
                        owner_name=org.secretary_name or "支部书记",
                    )
                if kind == MeetingKind.MEMBER_APPRAISAL:
                    grades = {}
                    for row in planned.attendance_by_member():
                        roll = rng.random()
                        grades[row.member_id] = (
                            "excellent"
                            if roll < 0.2
                            else "basically_qualified"
                            if roll > 0.97
                            else "qualified"
                        )
                    batch.add_appraisal(planned, grades=grades)
    return len(batch.write())


def fill_deliberation(*, seed: int, street: Area, communities: list[Area]) -> int:
    """A topic at every stage of the procedure across the street's communities."""
    rng = random.Random(f"jiceng-demo-orglife:{seed}:{street.code}:deliberation")
    today = timezone.localdate()
    stages = len(services.STEP_ORDER) + 2  # draft … result disclosed, and one not passed
    made = 0
    appeal = (
        Appeal.objects.filter(street=street, community__isnull=False, category__code="parking")
        .select_related("area")
        .order_by("id")
        .first()
    )
    for index, (title, description) in enumerate(DELIBERATIONS):
        community = communities[index % len(communities)]
        org = (
            PartyOrg.objects.filter(area__path__startswith=community.path, closed_on__isnull=True)
            .order_by("path")
            .first()
        )
        if org is None:
            continue
        issues = [
            services.issue_create(
                actor=None,
                community=community,
                text=f"演示数据：居民反映{title}相关问题",
                source="resident",
            )
        ]
        if appeal is not None and index == 1 and appeal.community_id == community.pk:
            issues.append(services.issue_from_appeal(actor=None, appeal=appeal))
        topic = services.topic_create(
            actor=None,
            community=community,
            org=org,
            title=title,
            description=description,
            issues=issues,
        )
        made += 1
        stage = index % stages
        failing = stage == stages - 1
        steps = services.STEP_ORDER[: min(stage, len(services.STEP_ORDER))]
        if failing:
            steps = services.STEP_ORDER[:3]
        held_on = today - datetime.timedelta(days=120 - index)
        for kind in steps:
            held_on += datetime.timedelta(days=rng.randint(5, 12))
            facts = services.StepFacts(held_on=min(held_on, today))
            if kind == Step.Kind.PROPOSE:
                facts.participants = "社区党组织班子成员"
            elif kind == Step.Kind.DISCUSS:
                facts.participants = "居委会、社区党组织、业委会、物业代表"
            elif kind == Step.Kind.REVIEW:
                eligible = rng.randint(40, 90)
                attended = eligible * 3 // 4
                votes_for = attended - 2 if not failing else eligible // 3
                facts.eligible, facts.attended = eligible, attended
                facts.votes_for = votes_for
                facts.votes_against = min(2, attended - votes_for)
                facts.votes_abstain = 0
            elif kind == Step.Kind.DECIDE:
                eligible = rng.randint(30, 45)
                attended = eligible * 4 // 5
                facts.assembly = Step.Assembly.REPRESENTATIVES
                facts.eligible, facts.attended = eligible, attended
                facts.votes_for, facts.votes_against, facts.votes_abstain = attended - 3, 2, 1
            elif kind == Step.Kind.DISCLOSE_RESOLUTION:
                facts.text = f"经居民代表会议表决通过：{title}按协商方案实施，公示期七天。"
            elif kind == Step.Kind.DISCLOSE_RESULT:
                facts.text = f"{title}已按决议实施完成，费用使用情况已在公示栏公开。"
            services.step_record(actor=None, topic=topic, kind=kind, facts=facts)
    return made


def fill_contact_points(*, seed: int, anchors, communities: list[Area]) -> int:
    rng = random.Random(f"jiceng-demo-orglife:{seed}:{anchors.street.code}:contact")
    today = timezone.localdate()
    orgs = [
        org
        for community in communities[:4]
        for org in PartyOrg.objects.filter(area=community, closed_on__isnull=True).order_by("path")[
            :1
        ]
    ]
    leaders = [
        ("周志强", "区委常委、组织部部长", anchors.district),
        ("吴建华", "街道党工委书记", anchors.street),
        ("郑丽", "街道办事处主任", anchors.street),
        ("孙伟", "街道党工委副书记", anchors.street),
    ]
    category = Category.objects.filter(code="property-service").first()
    made = 0
    for index, org in enumerate(orgs):
        name, title, area = leaders[index % len(leaders)]
        point = services.contact_point_create(
            actor=None,
            official_name=name,
            official_title=title,
            official_area=area,
            org=org,
            started_on=today - datetime.timedelta(days=300),
        )
        made += 1
        for n, days_ago in enumerate((240, 150, 60, 12)):
            visit = services.contact_visit_record(
                actor=None,
                point=point,
                visited_on=today - datetime.timedelta(days=days_ago),
                notes="演示数据：听取社区工作汇报，走访居民。",
                problems=[rng.choice(["活动室漏雨", "路灯损坏", "小区门禁失灵", "健身器材老化"])],
            )
            problem = visit.problems.first()
            if n < 2:
                services.problem_resolve(
                    actor=None,
                    problem=problem,
                    resolution="已协调物业和相关部门处理完毕",
                    resolved_on=visit.visited_on + datetime.timedelta(days=10),
                )
            elif n == 2:
                services.problem_assign(
                    actor=None,
                    problem=problem,
                    owner_name="街道城运中心",
                    deadline=today + datetime.timedelta(days=20),
                )
            elif category is not None and index == 0:
                services.problem_to_appeal(actor=None, problem=problem, category=category)
    return made


def fill_household_visits(*, seed: int, anchors) -> int:
    rng = random.Random(f"jiceng-demo-orglife:{seed}:{anchors.street.code}:visits")
    today = timezone.localdate()
    community = anchors.community
    grids = list(Area.objects.filter(parent=community, level="grid").order_by("code"))
    members = list(
        Member.objects.filter(org__area__path__startswith=community.path).order_by("id")[:12]
    )
    if not grids or not members:
        return 0
    made = 0
    forwarded = {"appeal": False, "need": False, "issue": False}
    category = Category.objects.filter(code="street-order").first()
    for index, member in enumerate(members):
        grid = grids[index % len(grids)]
        for h in range(2):
            link = services.household_link_create(
                actor=None,
                member=member,
                grid=grid,
                household=f"{rng.randint(1, 40)}号{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
                started_on=today - datetime.timedelta(days=200),
            )
            for days_ago in sorted(rng.sample(range(5, 190), 3), reverse=True):
                raised = rng.choice(RAISED)
                visit = services.household_visit_record(
                    actor=None,
                    link=link,
                    visited_on=today - datetime.timedelta(days=days_ago),
                    raised=raised,
                )
                made += 1
                if not raised or h:
                    continue
                if "代购" in raised and not forwarded["need"]:
                    services.visit_to_need(actor=None, visit=visit, category="elderly_care")
                    forwarded["need"] = True
                elif "堆物" in raised and category is not None and not forwarded["appeal"]:
                    services.visit_to_appeal(actor=None, visit=visit, category=category)
                    forwarded["appeal"] = True
                elif "停车" in raised and not forwarded["issue"]:
                    services.visit_to_issue(actor=None, visit=visit)
                    forwarded["issue"] = True
    return made


def fill(*, seed: int, anchors) -> dict[str, int]:
    """Organizational life for the demo street (the street every scale contains)."""
    street = anchors.street
    communities = list(Area.objects.filter(parent=street, level="community").order_by("code"))
    return {
        "orglife_meetings": fill_meetings(seed=seed, street=street),
        "orglife_topics": fill_deliberation(seed=seed, street=street, communities=communities),
        "orglife_contact_points": fill_contact_points(
            seed=seed, anchors=anchors, communities=communities
        ),
        "orglife_visits": fill_household_visits(seed=seed, anchors=anchors),
    }

"""The demo street's regional co-building, all through `cobuild.services`: needs (from
residents, collected by staff, and converted from demo appeals), the resources of the
street's unit orgs and of members who reported to a community, a matching run whose
accepted proposals became projects at every stage of their life, agreements with their
two-way review, joint meetings of the street's big committee with tasks (some overdue,
some done), and party–mass service centres with rooms and bookings (one community
under the floor-area rule, the others over it).

Everything is planned from the demo seed and placed relative to today, so the same seed
gives the same rows; nothing is written outside a service.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from jiceng.appeals.models import Appeal
from jiceng.cobuild import services
from jiceng.cobuild.models import (
    Category,
    MatchProposal,
    Need,
    Project,
    Resource,
    Venue,
)
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import Area
from jiceng.demo.names import person_name
from jiceng.members.models import DualReport
from jiceng.orgs.models import BigCommittee, PartTimeMember, Unit

NEED_TEXTS = {
    Category.ELDERLY_CARE: ["独居老人助餐", "高龄老人上门探访", "老年人智能手机教学"],
    Category.CHILD_CARE: ["暑期青少年托管", "放学后作业辅导", "亲子阅读活动"],
    Category.HEALTH: ["社区义诊", "慢性病健康讲座", "上门测血压"],
    Category.CULTURE: ["楼组文艺汇演", "居民书法班", "社区电影放映"],
    Category.LEGAL: ["法律咨询进社区", "老旧小区加装电梯协商", "租赁纠纷调解指导"],
    Category.ENVIRONMENT: ["弄堂环境整治", "垃圾分类督导", "楼道堆物清理"],
    Category.EMPLOYMENT: ["失业人员技能培训", "高校毕业生就业指导"],
    Category.VENUE: ["居民议事会场地", "老年活动室"],
}
RESOURCE_OFFERS = {
    Category.ELDERLY_CARE: ("services", "助老志愿服务队"),
    Category.CHILD_CARE: ("skilled_volunteers", "青年员工辅导志愿者"),
    Category.HEALTH: ("skilled_volunteers", "医护志愿者义诊"),
    Category.CULTURE: ("services", "文体活动支持"),
    Category.LEGAL: ("skilled_volunteers", "律师志愿服务"),
    Category.ENVIRONMENT: ("materials", "环境整治物资"),
    Category.EMPLOYMENT: ("services", "就业岗位与培训"),
    Category.VENUE: ("venue", "会议室向居民开放"),
}
# The categories units offer most, in the order the demo hands them out; employment is
# left without an offer so that some needs stay open after matching.
OFFERED = [
    Category.ELDERLY_CARE,
    Category.HEALTH,
    Category.CHILD_CARE,
    Category.ENVIRONMENT,
    Category.CULTURE,
    Category.LEGAL,
    Category.VENUE,
]
# What happens to the run's proposals, in turn: how far each accepted project got.
PROPOSAL_FATES = [
    "evaluated",
    "completed",
    "in_progress",
    "claimed",
    "proposed",
    "rejected",
    "changed",
    "pending",
]
MIN_FLOOR_AREA = 1000
UNDER_RULE_FLOOR_AREA = 620


def _phone(rng: random.Random) -> str:
    return f"13{rng.randrange(10**9):09d}"


def fill_needs(*, seed: int, street: Area, communities: list[Area]) -> list[Need]:
    rng = random.Random(f"jiceng-demo-cobuild:{seed}:{street.code}:needs")
    today = timezone.localdate()
    categories = list(NEED_TEXTS)
    needs = []
    for index, community in enumerate(communities):
        for n in range(2 if index % 2 else 3):
            category = categories[(index + n) % len(categories)]
            start = today - datetime.timedelta(days=rng.randint(0, 40))
            resident = n != 1
            facts = services.NeedFacts(
                title=rng.choice(NEED_TEXTS[category]),
                category=category,
                community=community,
                window_start=start,
                window_end=start + datetime.timedelta(days=rng.choice([60, 90, 120, 180])),
                place=f"{community.name.removesuffix('居委会')}{rng.randint(1, 60)}号",
                beneficiaries=rng.choice([3, 6, 10, 20, 40, 80]),
                description="演示数据：居民提出" if resident else "演示数据：社区走访收集",
                contact_name=person_name(rng) if resident else "",
                contact_phone=_phone(rng) if resident and rng.random() < 0.6 else "",
            )
            needs.append(
                services.need_create(
                    actor=None,
                    facts=facts,
                    source=Need.Source.RESIDENT if resident else Need.Source.STAFF,
                    idempotency_key=f"demo-{seed}-{community.code}-{n}" if resident else "",
                )
            )
    # Appeals that were needs all along: an elderly couple asking for meal help, a
    # courtyard asking for a clean-up.
    appeals = (
        Appeal.objects.filter(
            street=street,
            community__isnull=False,
            category__code__in=services.APPEAL_CATEGORY_TO_NEED,
        )
        .select_related("category", "area", "community")
        .order_by("id")
    )
    for appeal in list(appeals)[:5]:
        needs.append(
            services.need_from_appeal(
                actor=None, appeal=appeal, beneficiaries=rng.choice([1, 2, 4, 8])
            )
        )
    # Two needs that were met otherwise.
    for need in needs[-3:-1]:
        services.need_close(actor=None, need=need, reason="已由物业协调解决")
    return needs


def fill_resources(*, seed: int, street: Area) -> list[Resource]:
    rng = random.Random(f"jiceng-demo-cobuild:{seed}:{street.code}:resources")
    today = timezone.localdate()
    units = list(
        Unit.objects.filter(
            area__path__startswith=street.path, own_org__isnull=False, closed_on__isnull=True
        )
        .select_related("own_org", "own_org__area")
        .order_by("name", "uscc")[:14]
    )
    resources = []
    for index, unit in enumerate(units):
        category = OFFERED[index % len(OFFERED)]
        kind, title = RESOURCE_OFFERS[category]
        start = today - datetime.timedelta(days=rng.randint(0, 120))
        facts = services.ResourceFacts(
            title=f"{unit.name.removeprefix('上海')[:20]}{title}",
            kind=kind,
            category=category,
            available_from=start,
            available_until=start + datetime.timedelta(days=rng.choice([180, 365, 540])),
            capacity=rng.choice([1, 1, 2, 3]),
            area=unit.own_org.area,
            description="演示数据",
        )
        resources.append(services.resource_offer(actor=None, facts=facts, org=unit.own_org))
    reports = DualReport.objects.filter(
        kind=DualReport.Kind.MEMBER,
        community__path__startswith=street.path,
        ended_on__isnull=True,
    ).order_by("id")[:3]
    for report in reports:
        category = rng.choice([Category.ELDERLY_CARE, Category.HEALTH, Category.LEGAL])
        facts = services.ResourceFacts(
            title=f"在职党员{RESOURCE_OFFERS[category][1]}",
            kind="skilled_volunteers",
            category=category,
            available_from=today - datetime.timedelta(days=10),
            available_until=today + datetime.timedelta(days=300),
            description="演示数据：在职党员双报到",
        )
        resources.append(services.resource_offer(actor=None, facts=facts, dual_report=report))
    if resources:
        services.resource_withdraw(actor=None, resource=resources[-1], reason="场地改造")
    return resources


def _other_resource(proposal: MatchProposal) -> Resource | None:
    """Another resource the matching rules allow for the proposal's need, with room."""
    candidates = (
        Resource.objects.filter(category=proposal.need.category, is_active=True)
        .exclude(pk=proposal.resource_id)
        .select_related("area")
        .order_by("id")
    )
    for resource in candidates:
        try:
            services.check_pair(proposal.need, resource)
        except ValidationFailed:
            continue
        if services.resource_used_capacity(resource) < resource.capacity:
            return resource
    return None


def fill_matching(*, seed: int, street: Area) -> list[Project]:
    """One run for the street, its proposals decided in turn (PROPOSAL_FATES)."""
    rng = random.Random(f"jiceng-demo-cobuild:{seed}:{street.code}:matching")
    run = services.match_run_create(actor=None, area=street)
    proposals = list(
        MatchProposal.objects.filter(run=run).select_related("need", "resource").order_by("id")
    )
    projects = []
    changed = []
    for index, proposal in enumerate(proposals):
        fate = PROPOSAL_FATES[index % len(PROPOSAL_FATES)]
        if fate == "pending":
            continue
        if fate == "rejected":
            services.proposal_reject(actor=None, proposal=proposal, note="需求方已另行解决")
            continue
        if fate == "changed":
            changed.append(proposal)
            continue
        project = services.proposal_accept(
            actor=None,
            proposal=proposal,
            plan="演示数据：按月开展服务，社区负责组织居民参加。",
            budget=rng.choice([0, 500, 2000, 5000]),
        )
        projects.append(project)
        steps = ["claim", "start", "complete", "evaluated"]
        stop = {"proposed": 0, "claimed": 1, "in_progress": 2, "completed": 3, "evaluated": 4}
        for step in steps[: stop[fate]]:
            if step == "evaluated":
                services.project_evaluate(
                    actor=None,
                    project=project,
                    score=rng.choice([4, 5, 5, 3]),
                    comment=rng.choice(["服务周到", "希望长期开展", "很及时"]),
                )
            else:
                getattr(services, f"project_{step}")(actor=None, project=project, note="演示数据")
    # Staff chose another resource than the solver's: last, once every other proposal
    # has taken the capacity the solver counted on.
    for proposal in changed:
        other = _other_resource(proposal)
        if other is not None:
            projects.append(
                services.proposal_change(
                    actor=None,
                    proposal=proposal,
                    resource=other,
                    note="改由更熟悉情况的单位承接",
                )
            )
    return projects


def fill_agreements(*, seed: int, communities: list[Area]) -> int:
    rng = random.Random(f"jiceng-demo-cobuild:{seed}:agreements")
    today = timezone.localdate()
    last_year = today.year - 1
    made = 0
    for index, community in enumerate(communities[:5]):
        unit = (
            Unit.objects.filter(
                area__path__startswith=community.path,
                own_org__isnull=False,
                closed_on__isnull=True,
            )
            .order_by("name", "uscc")
            .first()
        )
        if unit is None:
            continue
        signed = datetime.date(last_year, rng.randint(1, 6), rng.randint(1, 28))
        agreement = services.agreement_create(
            actor=None,
            community=community,
            unit=unit,
            title=f"{community.name.removesuffix('居委会')}与{unit.name}共建协议",
            signed_on=signed,
            valid_until=datetime.date(last_year + 2, 12, 31),
            commitments=[
                services.CommitmentSpec("unit", "向居民开放活动场地", 12, "次"),
                services.CommitmentSpec("unit", "组织员工志愿服务", 200, "小时"),
                services.CommitmentSpec("community", "为单位职工子女提供暑托", 20, "人"),
            ],
        )
        made += 1
        for commitment in agreement.commitments.order_by("id"):
            services.commitment_record(
                actor=None,
                commitment=commitment,
                achieved=(
                    commitment.target * Decimal(rng.choice([40, 75, 100, 110])) / 100
                ).quantize(Decimal("1")),
            )
        services.agreement_review(
            actor=None,
            agreement=agreement,
            year=last_year,
            reviewer="community",
            score=rng.randint(78, 98),
            comment="履约良好",
        )
        if index % 2 == 0:  # the others' unit side has not reviewed yet
            services.agreement_review(
                actor=None,
                agreement=agreement,
                year=last_year,
                reviewer="unit",
                score=rng.randint(80, 96),
                comment="社区配合积极",
            )
        if index == 4:
            services.agreement_end(actor=None, agreement=agreement)
    return made


def fill_meetings(*, seed: int, street: Area) -> int:
    rng = random.Random(f"jiceng-demo-cobuild:{seed}:{street.code}:meetings")
    committee = BigCommittee.objects.filter(area=street).first()
    if committee is None:
        return 0
    members = list(PartTimeMember.objects.filter(committee=committee).order_by("name", "id"))
    today = timezone.localdate()
    decisions = [
        "为独居老人开设助餐点",
        "协调单位开放停车位",
        "开展垃圾分类督导",
        "组织暑期青少年托管",
        "完善弄堂消防通道",
        "开展在职党员报到服务",
    ]
    made = 0
    for n, days_ago in enumerate((200, 100, 20)):
        held_on = today - datetime.timedelta(days=days_ago)
        meeting = services.meeting_create(
            actor=None,
            committee=committee,
            title=f"{held_on.year}年第{(held_on.month - 1) // 3 + 1}季度区域化党建联席会议",
            held_on=held_on,
            place="街道党群服务中心",
            agenda="一、通报需求清单与资源清单\n二、审议共建项目\n三、议定事项分工",
        )
        made += 1
        serving = [
            m
            for m in members
            if m.started_on <= held_on and (m.ended_on is None or m.ended_on >= held_on)
        ]
        present = [m for m in serving if rng.random() < 0.8]
        services.meeting_record(
            actor=None,
            meeting=meeting,
            attendees=present,
            minutes="演示数据：会议通报了需求和资源清单，议定以下事项。",
        )
        for k in range(2):
            owner = serving[(n * 2 + k) % len(serving)] if serving else None
            task = services.meeting_task_add(
                actor=None,
                meeting=meeting,
                decision=decisions[(n * 2 + k) % len(decisions)],
                owner_member=owner,
                owner_name="" if owner else "街道办事处",
                deadline=held_on + datetime.timedelta(days=rng.choice([14, 30, 45])),
            )
            # The oldest meeting's tasks are done; the next one's first is overdue.
            if n == 0 or (n == 1 and k == 1):
                services.meeting_task_done(actor=None, task=task, note="已按期完成")
    return made


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def fill_venues(*, seed: int, street: Area, communities: list[Area]) -> int:
    rng = random.Random(f"jiceng-demo-cobuild:{seed}:{street.code}:venues")
    venues = [
        services.venue_create(
            actor=None,
            name=f"{street.name}党群服务中心",
            kind=Venue.Kind.SERVICE_CENTRE,
            area=street,
            floor_area=2400,
            opening_hours="周一至周日 8:30-20:30",
        )
    ]
    for index, community in enumerate(communities):
        floor_area = UNDER_RULE_FLOOR_AREA if index == 0 else rng.randint(MIN_FLOOR_AREA, 1600)
        venues.append(
            services.venue_create(
                actor=None,
                name=f"{community.name.removesuffix('居委会')}党群服务站",
                kind=Venue.Kind.SERVICE_CENTRE,
                area=community,
                floor_area=floor_area,
                opening_hours="周一至周六 9:00-17:00",
            )
        )
    units = list(
        Unit.objects.filter(
            area__path__startswith=street.path, own_org__isnull=False, closed_on__isnull=True
        ).order_by("name", "uscc")[:2]
    )
    for unit in units:
        venues.append(
            services.venue_create(
                actor=None,
                name=f"{unit.name}党员活动室",
                kind=Venue.Kind.UNIT_VENUE,
                unit=unit,
                floor_area=rng.randint(60, 300),
                opening_hours="工作日 18:00-21:00，周末全天",
            )
        )
    today = timezone.localdate()
    rooms = []
    unit_venues = venues[len(venues) - len(units) :]
    for venue in venues[:4] + unit_venues:
        for name, seats, uses in (
            ("多功能厅", 80, "会议、讲座、文艺排练"),
            ("党员活动室", 30, "组织生活、学习"),
            ("议事厅", 20, "居民议事、调解"),
        )[: rng.randint(2, 3)]:
            rooms.append(
                services.room_add(actor=None, venue=venue, name=name, seats=seats, uses=uses)
            )
    purposes = ["支部主题党日", "居民议事会", "老年合唱排练", "法律咨询", "青少年托管"]
    for index, room in enumerate(rooms[:8]):
        day = today + datetime.timedelta(days=index % 5 - 1)
        hour = 9 + (index % 3) * 3
        booking = services.booking_create(
            actor=None,
            room=room,
            starts_at=_at(day, hour),
            ends_at=_at(day, hour + 2),
            purpose=purposes[index % len(purposes)],
            booked_for=rng.choice(["第一党支部", "居委会", "楼组长", "志愿者队"]),
        )
        if index == 3:
            services.booking_cancel(actor=None, booking=booking)
    return len(venues)


def fill(*, seed: int, anchors) -> dict[str, int]:
    """Co-building for the demo street (the street every scale contains)."""
    street = anchors.street
    communities = list(Area.objects.filter(parent=street, level="community").order_by("code"))
    needs = fill_needs(seed=seed, street=street, communities=communities)
    resources = fill_resources(seed=seed, street=street)
    projects = fill_matching(seed=seed, street=street)
    agreements = fill_agreements(seed=seed, communities=communities)
    meetings = fill_meetings(seed=seed, street=street)
    venues = fill_venues(seed=seed, street=street, communities=communities)
    return {
        "needs": len(needs),
        "resources": len(resources),
        "projects": len(projects),
        "agreements": agreements,
        "joint_meetings": meetings,
        "venues": venues,
    }

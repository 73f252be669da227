"""The five hostile values of issue 22 and a world to send them into: one case, member,
transfer, outflow, inflow, dual report, need and proposal in 湖南路街道 (xh_s1), visible
to its street staff and to the 徐汇区 district admin alike."""

import datetime
from dataclasses import dataclass

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Appeal, Category
from jiceng.cobuild import services as cobuild_services
from jiceng.members import services as member_services
from tests.members.factories import facts, id_number

OVER_LONG = "over-long"
# An over-long value is one character past the limit the schema or form states, and
# far past it where none is stated.
HOSTILE = {
    OVER_LONG: None,
    "nul": "名称\x00后缀",
    "bidi": "photo\u202egpj.exe",
    "html": '<script>alert(1)</script><img src=x onerror="alert(2)">',
    "emoji": "家👨‍👩‍👧‍👦🏳️‍🌈😀",
}
REFUSED = {OVER_LONG, "nul"}  # no field may store these


def hostile_value(kind: str, max_length: int | None) -> str:
    if kind == OVER_LONG:
        return "长" * ((max_length or 100_000) + 1)
    return HOSTILE[kind]


@dataclass
class World:
    t: object
    appeal: Appeal
    member: object
    other_member: object
    transfer: object
    outflow: object
    inflow: object
    report: object
    need: object
    proposal: object
    cobuild: dict = None
    replied: Appeal = None
    territory: dict = None
    orglife: dict = None
    places: dict = None
    supervision: dict = None
    assessment: dict = None
    linkage: dict = None
    duties: dict = None


def _supervision(t) -> dict:
    """A weak-org case at each step an action starts from, for 复兴西路社区党总支 (one a
    year), a star rating to confirm, a planned inspection and a talk to follow up."""
    from django.utils import timezone

    from jiceng.supervision import services
    from jiceng.supervision.models import StarRating, WeakOrgCase

    org, year, now = t.orgs["xh_c1_gb"], datetime.date.today().year, timezone.now()

    def case(years_ago: int, state: str) -> WeakOrgCase:
        return WeakOrgCase.objects.create(
            org=org, district=t.areas["xh"], year=year - years_ago, state=state,
            hits=[], evaluated_at=now,
        )  # fmt: skip

    today = datetime.date.today()
    services.ensure_rules()
    return {
        "candidate": case(0, "candidate"),
        "confirmed": case(1, "confirmed"),
        "rectifying": case(2, "rectifying"),
        "rating": StarRating.objects.create(
            org=org, district=t.areas["xh"], year=year, stars=3, evidence=[], computed_at=now
        ),
        "criterion": services.ensure_criteria()[0],
        "inspection": services.inspection_plan(
            actor=None, org=org, inspectors="街道组织办", planned_on=today
        ),
        "talk": services.talk_record(
            actor=None,
            org=org,
            held_on=today,
            talker="王书记",
            talked_to="李书记",
            reason="满意率偏低",
            commitments="",
            follow_up_on=today,
        ),
    }


def _assessment(t) -> dict:
    """The responsibility system's objects in 徐汇, each in the state its operations act
    on: a draft scheme (2025), an open one (2026) whose reports are a draft, one awaiting
    the district admin's own review, one with every review given; a problem without a
    rectification item, an item open with evidence and one submitted for closure."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from jiceng.assessment import services
    from jiceng.assessment.models import Assessment
    from jiceng.assessment.services import ItemSpec, SchemeFacts

    def photo():
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
        return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")

    facts = SchemeFacts(
        "考核方案",
        ["street", "community", "unit"],
        30,
        [ItemSpec("orglife.compliance", 100, "linear", floor=0.5, target=1.0)],
    )
    xh, o = t.areas["xh"], t.orgs
    draft = services.scheme_create(actor=None, district=xh, year=2025, facts=facts)
    scheme = services.scheme_create(actor=None, district=xh, year=2026, facts=facts)
    scheme = services.scheme_open(actor=None, scheme=scheme)
    by_org = {a.org_id: a for a in Assessment.objects.filter(scheme=scheme)}
    community = by_org[o["xh_c1_gb"].pk]
    services.report_draft(actor=None, report=community.report)
    awaiting = by_org[o["xh_s1_wc"].pk].report
    concluding = by_org[o["xh_joint"].pk].report
    for report in (awaiting, concluding):
        services.report_draft(actor=None, report=report)
        services.report_submit(actor=None, report=report)
    services.reviewer_add(
        actor=None, report=awaiting, account=t.users["xh_admin"], capacity="upper_committee"
    )
    row = services.reviewer_add(
        actor=None, report=concluding, account=t.users["xh_s1_staff"], capacity="upper_committee"
    )
    services.review_give(actor=t.users["xh_s1_staff"], reviewer=row, grade="good")
    problem = services.problem_raise(
        actor=None, org=o["xh_c1_gb"], source="review", text="问题", year=2026
    )
    items = []
    for text in ("台账不全", "制度不全"):
        found = services.problem_raise(
            actor=None, org=o["xh_c1_gb"], source="inspection", text=text, year=2026
        )
        item = services.rectification_create(
            actor=None,
            problem=found,
            owner="王书记",
            measures="补齐",
            deadline=datetime.date.today() + datetime.timedelta(days=30),
        )
        services.rectification_attach(actor=None, item=item, upload=photo())
        items.append(item)
    services.rectification_submit(actor=None, item=items[1], note="已整改")
    return {
        "draft": draft,
        "scheme": scheme,
        "assessment": community,
        "task": community.tasks.first(),
        "report": community.report,
        "awaiting": awaiting.reviewers.get(),
        "concluding": concluding,
        "problem": problem,
        "open_item": items[0],
        "submitted_item": items[1],
    }


def _cobuild(t, need) -> dict:
    """One of each co-building object with a page of its own, in 复兴西路 (xh_c1)."""
    from jiceng.cobuild.models import Venue
    from jiceng.orgs import services as org_services

    today = datetime.date.today()
    resource = cobuild_services.resource_offer(
        actor=None,
        org=t.orgs["xh_unit_org"],
        facts=cobuild_services.ResourceFacts(
            title="企业志愿者助餐服务",
            kind="services",
            category="elderly_care",
            available_from=today,
            available_until=today + datetime.timedelta(days=60),
            capacity=1,
            area=t.areas["xh_c1"],
        ),
    )
    run = cobuild_services.match_run_create(actor=None, area=t.areas["xh_s1"], today=today)
    project = cobuild_services.proposal_accept(actor=None, proposal=run.proposals.first())
    more = _cobuild_projects(t, today)
    agreement = cobuild_services.agreement_create(
        actor=None,
        community=t.areas["xh_c1"],
        unit=t.units["xh_own"],
        title="共建协议",
        signed_on=today,
        commitments=[cobuild_services.CommitmentSpec("unit", "开放场地", 12, "次")],
    )
    committee = org_services.big_committee_create(
        actor=None, area=t.areas["xh_c1"], org=t.orgs["xh_c1_gb"]
    )
    meeting = cobuild_services.meeting_create(
        actor=None, committee=committee, title="联席会议", held_on=today, agenda="议程"
    )
    cobuild_services.meeting_task_add(
        actor=None, meeting=meeting, decision="事项", owner_name="物业", deadline=today
    )
    venue = cobuild_services.venue_create(
        actor=None, name="单位阵地", kind=Venue.Kind.UNIT_VENUE, unit=t.units["xh_own"],
        floor_area=1,
    )  # fmt: skip
    room = cobuild_services.room_add(actor=None, venue=venue, name="活动室")
    return {
        "resource": resource,
        "project": project,
        "agreement": agreement,
        "meeting": meeting,
        "venue": venue,
        "room": room,
        "booking": _booking(room, today),
        **more,
    }


def _booking(room, today):
    """A live booking of the room, two days on: the day after tomorrow stays free for
    the requests that book it."""
    from django.utils import timezone

    starts_at = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(14))
    )
    return cobuild_services.booking_create(
        actor=None, room=room, starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2), purpose="党课",
    )  # fmt: skip


def _cobuild_projects(t, today) -> dict:
    """An open need with a resource that fits it, and a project in each state a step
    acts on: claimed (start), started (complete), completed (evaluate)."""

    def offer(title, capacity):
        return cobuild_services.resource_offer(
            actor=None,
            org=t.orgs["xh_unit_org"],
            facts=cobuild_services.ResourceFacts(
                title=title, kind="services", category="elderly_care",
                available_from=today, available_until=today + datetime.timedelta(days=60),
                capacity=capacity, area=t.areas["xh_c1"],
            ),
        )  # fmt: skip

    resource = offer("企业志愿者上门服务", 10)

    def need(title):
        return cobuild_services.need_create(
            actor=None,
            facts=cobuild_services.NeedFacts(
                title=title, category="elderly_care", community=t.areas["xh_c1"],
                window_start=today, window_end=today + datetime.timedelta(days=30),
            ),
        )  # fmt: skip

    projects = {}
    steps = {"claimed": ["claim"], "started": ["claim", "start"]}
    steps["completed"] = [*steps["started"], "complete"]
    for state, moves in steps.items():
        project = cobuild_services.project_create(
            actor=None, need=need(f"助老{state}"), resources=[resource]
        )
        for move in moves:
            getattr(cobuild_services, f"project_{move}")(actor=None, project=project)
        projects[f"project_{state}"] = project
    open_need = need("助老上门")
    other = offer("企业志愿者陪诊", 1)
    run = cobuild_services.match_run_create(actor=None, area=t.areas["xh_s1"], today=today)
    pending = run.proposals.get(need=open_need)
    alternative = other if pending.resource_id == resource.pk else resource
    return {
        "open_need": open_need,
        "fitting_resource": resource,
        "pending_proposal": pending,
        "alternative": alternative,
        **projects,
    }


VOTE = {"eligible": 30, "attended": 20, "votes_for": 18, "votes_against": 1, "votes_abstain": 1}
TOPIC_STEPS = [
    ("propose", {}),
    ("discuss", {}),
    ("review", VOTE),
    ("decide", {**VOTE, "assembly": "representatives"}),
    ("disclose_resolution", {"text": "同意"}),
    ("disclose_result", {"text": "已完工"}),
]


def _orglife(t, member) -> dict:
    """One of each organizational-life object an operation acts on, in 复兴西路社区第一
    党支部 (xh_c1_b1) and its community; a topic waiting for each step of 四议两公开."""
    from jiceng.orglife import services

    start = datetime.date.today() - datetime.timedelta(days=40)
    org, community = t.orgs["xh_c1_b1"], t.areas["xh_c1"]
    meeting = services.meeting_record(
        actor=None,
        org=org,
        facts=services.MeetingFacts(kind="member_meeting", held_on=start, topic="学习"),
        attendance=[services.Mark(member.pk, "present")],
    )
    appraisal = services.meeting_record(
        actor=None,
        org=org,
        facts=services.MeetingFacts(kind="member_appraisal", held_on=start, topic="民主评议"),
        attendance=[services.Mark(member.pk, "present")],
    )
    services.meeting_task_add(
        actor=None, meeting=meeting, decision="整理楼道", deadline=start, owner_name="王"
    )
    task = meeting.tasks.get()
    topics = {}
    for upto, (kind, _facts) in enumerate(TOPIC_STEPS):
        topic = services.topic_create(
            actor=None, community=community, org=t.orgs["xh_c1_gb"], title=f"加装电梯{upto}"
        )
        for n, (done, known) in enumerate(TOPIC_STEPS[:upto], start=1):
            services.step_record(
                actor=None,
                topic=topic,
                kind=done,
                facts=services.StepFacts(held_on=start + datetime.timedelta(days=n), **known),
            )
        topics[kind] = topic
    issue = services.issue_create(actor=None, community=community, text="停车难")
    point = services.contact_point_create(
        actor=None,
        official_name="李局长",
        official_area=t.areas["xh_s1"],
        org=t.orgs["xh_c1_gb"],
        started_on=start,
    )
    services.contact_visit_record(actor=None, point=point, visited_on=start, problems=["路灯"])
    link = services.household_link_create(
        actor=None, member=member, grid=t.areas["xh_g1"], household="5号楼201室", started_on=start
    )
    visit = services.household_visit_record(
        actor=None, link=link, visited_on=start, raised="楼道灯坏了"
    )
    return {
        "meeting": meeting,
        "appraisal": appraisal,
        "task": task,
        "topics": topics,
        "issue": issue,
        "point": point,
        "problem": point.problems.get(),
        "link": link,
        "visit": visit,
    }


def _places(t) -> dict:
    """A building with a registered address and an alias in 第一网格 (xh_g1), and a case
    waiting to be placed in 徐汇区."""
    from jiceng.core.services import area_create
    from jiceng.places import services as place_services

    building = area_create(
        actor=None, parent=t.areas["xh_g1"], code="310104003001001001", name="1号楼",
        level="building",
    )  # fmt: skip
    address = place_services.address_create(
        actor=None, building=building, text="复兴西路12弄1号", compound="复兴苑"
    )
    alias = place_services.alias_create(actor=None, text="复兴苑1号楼", address=address)
    queued, _created = appeal_services.appeal_intake(
        actor=None,
        intake=appeal_services.Intake(
            channel="resident",
            category=Category.objects.get(code="sanitation"),
            area=t.areas["xh"],
            description="路灯不亮",
            address="徐汇区某某路9号",
            placement_reason="标准地址库中没有找到该地址，仅能确定所在区",
            street_hint=t.areas["xh_s1"],
        ),
    )
    return {"building": building, "address": address, "alias": alias, "queued": queued}


def _linkage(t, duties: dict) -> dict:
    """A district's draft task, and one sent to its streets with a report submitted
    (湖南路) and one accepted (天平路); a notification for the district admin; a
    department's task citing its admitted duty, sent to 湖南路 (to mark outside the list)."""
    from jiceng.linkage import services
    from jiceng.linkage.models import Recipient, Report

    def task():
        return services.dispatch_create(
            actor=None,
            sender_area=t.areas["xh"],
            facts=services.DispatchFacts(
                kind="task",
                title="情况报送",
                deadline=datetime.date.today() + datetime.timedelta(days=7),
                period="2026-Q1",
                targeting="children",
                target_level="street",
            ),
            fields=[services.FieldFacts(label="活动次数", kind="number")],
        )

    draft, sent = task(), task()
    services.dispatch_send(actor=None, dispatch=sent)
    (field,) = sent.fields.all()
    reports = {}
    for key in ("xh_s1", "xh_s2"):
        recipient = Recipient.objects.get(dispatch=sent, area=t.areas[key])
        reports[key] = services.report_submit(
            actor=None, recipient=recipient, answers={field.pk: services.Answer(value="3")}
        )
    services.report_accept(actor=None, report=reports["xh_s2"])
    services.notify([t.users["xh_admin"], t.users["xh_s1_staff"]], title="通知")
    from jiceng.linkage.models import Notification

    by_department = services.dispatch_create(
        actor=None,
        sender_area=t.areas["xh"],
        sender_department=duties["department"],
        facts=services.DispatchFacts(
            kind="task",
            title="门责检查",
            deadline=datetime.date.today() + datetime.timedelta(days=7),
            target_level="street",
            target_areas=[t.areas["xh_s1"]],
            duty_reference=str(duties["admitted"].pk),
        ),
        fields=[services.FieldFacts(label="检查户次", kind="number")],
    )
    services.dispatch_send(actor=None, dispatch=by_department)
    return {
        "department_copy": Recipient.objects.get(dispatch=by_department),
        "draft": draft,
        "sent": sent,
        "recipient": Recipient.objects.get(dispatch=sent, area=t.areas["xh_s1"]),
        "report": Report.objects.get(pk=reports["xh_s1"].pk),
        "notification": Notification.objects.filter(recipient=t.users["xh_admin"]).first(),
    }


def _duties(t) -> dict:
    """A department of 徐汇区 with its handler, applications in three states, a consent
    request and a proposal open (tests/duties has the rest)."""
    from jiceng.accounts.services import role_grant, user_create
    from jiceng.duties import services as duty_services
    from tests.conftest import PASSWORD

    a = t.areas
    department = appeal_services.handling_unit_create(
        actor=None, name="徐汇区绿化和市容管理局", kind="department", area=a["xh"]
    )
    handler = user_create(actor=None, username="xh_lvrong", password=PASSWORD, check_password=False)
    role_grant(actor=None, user=handler, role="department_staff", area=a["xh"])
    appeal_services.handler_add(actor=None, unit=department, user=handler)

    def apply(title: str, submit: bool):
        return duty_services.duty_apply(
            actor=None, department=department, title=title, description="内容",
            legal_basis="条例", expected_volume="每年 10 次", target_level="street",
            staff_count=1, funds_yuan=1000, streets=[a["xh_s1"]], submit=submit,
        )  # fmt: skip

    admitted = apply("已准入事项", True)
    duty_services.duty_act(actor=None, duty=admitted, action="admit")
    due = datetime.date.today() + datetime.timedelta(days=5)
    consent = duty_services.power_request_create(
        actor=None, kind="consent", street=a["xh_s1"], department=department,
        subject="任命", body="征求意见", due_on=due,
    )  # fmt: skip
    proposal = duty_services.power_request_create(
        actor=None, kind="major_matter", street=a["xh_s1"], department=None,
        subject="建议", body="分段施工", due_on=due,
    )  # fmt: skip
    return {
        "department": department,
        "draft": apply("草稿事项", False),
        "submitted": apply("待审核事项", True),
        "admitted": admitted,
        "consent": consent,
        "proposal": proposal,
    }


def build_world(t) -> World:
    a, o = t.areas, t.orgs
    staff = t.users["xh_s1_staff"]
    street = appeal_services.handling_unit_create(
        actor=None, name="湖南路街道办事处", kind="street", area=a["xh_s1"]
    )
    appeal_services.routing_rule_set(actor=None, area=a["xh_s1"], unit=street)
    appeal, _created = appeal_services.appeal_intake(
        actor=None,
        intake=appeal_services.Intake(
            channel="resident",
            category=Category.objects.get(code="sanitation"),
            area=a["xh_g1"],
            description="楼下垃圾三天没人清运",
        ),
    )
    # A second case, answered: its tracking page offers the rating form.
    replied, _created = appeal_services.appeal_intake(
        actor=None,
        intake=appeal_services.Intake(
            channel="resident",
            category=Category.objects.get(code="sanitation"),
            area=a["xh_g1"],
            description="路灯不亮",
        ),
    )
    appeal_services.appeal_accept(actor=staff, appeal=replied)
    appeal_services.appeal_reply(actor=staff, appeal=replied, reply="已修复")
    member = member_services.member_register(
        actor=staff, org=o["xh_c1_b1"], facts=facts(name="张伟")
    )
    other = member_services.member_register(
        actor=staff, org=o["xh_c1_b1"], facts=facts(name="李娜", category="in_service")
    )
    transfer = member_services.transfer_start(
        actor=staff, member=other, to_org=o["xh_c1_gb"], reason="工作调动"
    )
    outflow = member_services.outflow_register(
        actor=staff,
        member=member,
        certificate_number="LD2026001",
        destination="浙江省杭州市",
        left_on=datetime.date(2026, 3, 1),
    )
    inflow = member_services.inflow_register(
        actor=staff,
        community=a["xh_c1"],
        name="王芳",
        id_number=id_number(),
        certificate_number="LD2026002",
        home_org_name="安徽省某村党支部",
    )
    report = member_services.dual_report_unit_org(
        actor=staff, unit_org=o["xh_unit_org"], community=a["xh_c1"]
    )
    need = cobuild_services.need_create(
        actor=staff,
        facts=cobuild_services.NeedFacts(
            title="老人助餐",
            category="elderly_care",
            community=a["xh_c1"],
            window_start=datetime.date.today(),
            window_end=datetime.date.today() + datetime.timedelta(days=30),
        ),
    )
    cobuild = _cobuild(t, need)
    from jiceng.orgs.services import big_committee_create, grid_post_assign, part_time_member_add

    committee = big_committee_create(actor=None, area=a["xh_s1"], org=o["xh_s1_wc"])
    part_timer = part_time_member_add(
        actor=None, committee=committee, name="赵刚", source="police", position="所长"
    )
    lane_chief = grid_post_assign(
        actor=None,
        grid=a["xh_g1"],
        user=t.users["xh_g1_worker"],
        duty="lane_chief",
        lane="复兴西路（武康路—乌鲁木齐南路）",
    )
    duties = _duties(t)
    return World(
        places=_places(t),
        duties=duties,
        supervision=_supervision(t),
        orglife=_orglife(t, member),
        assessment=_assessment(t),
        linkage=_linkage(t, duties),
        territory={"committee": committee, "part_timer": part_timer, "post": lane_chief},
        replied=replied,
        cobuild=cobuild,
        t=t,
        appeal=appeal,
        member=member,
        other_member=other,
        transfer=transfer,
        outflow=outflow,
        inflow=inflow,
        report=report,
        need=need,
        proposal=None,
    )

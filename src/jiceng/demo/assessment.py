"""The demo district's year of 述职评议考核, all through `assessment.services`: the
district's scheme (a first draft, then a second version), opened and frozen; task lists
with items from the scheme and from the upper level, some done; every assessed org's
report drafted from the data and submitted, reviewed by the upper level's staff and a
members' representative, concluded with problems found; scores, ranks and a published
ranking; problems from reviews and inspections with rectification items in every state
(open, submitted for closure, closed, returned, overdue and escalated).

The demo scheme assesses street committees and community orgs (unit orgs are left to a
real scheme: there are thousands in a district and the demo must stay fast)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.assessment import services
from jiceng.assessment.bulk import review_many
from jiceng.assessment.models import Assessment, Rectification, Report
from jiceng.assessment.services import ItemSpec, SchemeFacts

ITEMS = [
    ItemSpec("orglife.compliance", 25, "linear", floor=0.6, target=1.0),
    ItemSpec("appeals.satisfaction_rate", 20, "linear", floor=0.6, target=0.95),
    ItemSpec("appeals.on_time_rate", 15, "linear", floor=0.7, target=1.0),
    ItemSpec("members.new_members", 10, "thresholds", thresholds=[[1, 0.5], [3, 1.0]]),
    ItemSpec("cobuild.projects_completed", 10, "thresholds", thresholds=[[1, 0.6], [3, 1.0]]),
    ItemSpec("members.mobile_verified", 10, "linear", floor=0.5, target=1.0),
    ItemSpec("assessment.rectification_on_time", 10, "linear", floor=0.5, target=1.0),
]
GRADES = ["good", "fairly_good", "good", "fair", "fairly_good", "good", "poor"]
PROBLEMS = [
    "“三会一课”记录不够规范，部分会议缺少决定事项",
    "在职党员到社区报到后参与服务不够经常",
    "群众诉求按时答复率偏低",
]
INSPECTION = "督查发现：党员活动阵地开放时间未公示"


def _photo() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("evidence.png", buffer.getvalue(), content_type="image/png")


def fill(*, anchors, users: dict[str, User]) -> dict[str, int]:
    district, street = anchors.district, anchors.street
    today = timezone.localdate()
    year = today.year
    district_user = users["demo_district"]
    street_user = users["demo_street"]
    representative = users["demo_member"]
    name = f"{year}年度基层党组织书记抓党建述职评议考核方案"
    groups = ["street", "community"]
    # A first draft, then a second version (the review's weight lowered) is opened.
    draft = services.scheme_create(
        actor=district_user,
        district=district,
        year=year,
        facts=SchemeFacts(name, groups, 40, ITEMS),
    )
    scheme = services.scheme_update(
        actor=district_user, scheme=draft, facts=SchemeFacts(name, groups, 30, ITEMS)
    )
    scheme = services.scheme_open(actor=district_user, scheme=scheme)
    assessments = list(
        Assessment.objects.filter(scheme=scheme)
        .select_related("org__area", "scheme", "report")
        .order_by("group", "org__path")
    )
    # Upper-level tasks for the demo street's communities, and some tasks done.
    for index, assessment in enumerate(assessments):
        upper = district_user if assessment.group == "street" else street_user
        if not assessment.org.area.path.startswith(street.path):
            continue
        if index % 2 == 0:
            services.task_set(
                actor=upper,
                assessment=assessment,
                task="完成小区综合治理“红色物业”项目",
                measure="每季度召开一次联席会议",
                deadline=datetime.date(year, 11, 30),
            )
        for task in assessment.tasks.order_by("id")[: index % 3]:
            services.task_done(actor=upper, task=task, note="已按计划完成", done_on=today)
    services.scheme_score(actor=district_user, scheme=scheme)
    community_user = users["demo_community"]
    reports = (
        Report.objects.filter(assessment__scheme=scheme)
        .select_related("assessment__org__area", "assessment__scheme")
        .order_by("assessment__group", "assessment__org__path")
    )
    problems = 0
    # The demo street's reports go through the services one call at a time; the other
    # streets' (district and city scales) in one batch.
    review_many(
        actor=district_user,
        reports=[r for r in reports if not r.assessment.org.area.path.startswith(street.path)],
        reviewer=district_user,
        grades=GRADES,
    )
    for index, report in enumerate(reports):
        assessment = report.assessment
        if not assessment.org.area.path.startswith(street.path):
            continue
        upper = district_user if assessment.group == "street" else street_user
        # The demo community's secretary writes its own; the others by their street.
        writer = community_user if assessment.org_id == anchors.community_org.pk else upper
        services.report_draft(actor=writer, report=report)
        services.report_submit(actor=writer, report=report)
        panel = [(upper, "upper_committee", 0)]
        # The demo community's report also has a members' representative (the demo
        # member), whose review the demo member's account shows; one reviewer elsewhere
        # keeps the demo fast.
        if assessment.org_id == anchors.community_org.pk:
            panel.append((representative, "representative", 3))
        for account, capacity, offset in panel:
            row = services.reviewer_add(
                actor=upper, report=report, account=account, capacity=capacity
            )
            services.review_give(
                actor=account,
                reviewer=row,
                grade=GRADES[(index + offset) % len(GRADES)],
                comment="工作思路清晰，抓落实有力" if offset == 0 else "服务群众热情",
            )
        found = (
            [PROBLEMS[index % len(PROBLEMS)]]
            if assessment.org.area.path.startswith(street.path)
            else []
        )
        services.report_conclude(actor=upper, report=report, problems=found)
        problems += len(found)
    services.scheme_publish(actor=district_user, scheme=scheme)
    items = _rectify(street, users, anchors, year)
    return {"assessment_problems": problems + 1, "assessment_rectifications": items}


def _rectify(street, users: dict[str, User], anchors, year: int) -> int:
    """A rectification item for each of the demo street's problems, in every state."""
    from jiceng.assessment.models import Problem

    today = timezone.localdate()
    street_user, community_user = users["demo_street"], users["demo_community"]
    services.problem_raise(
        actor=street_user,
        org=anchors.community_org,
        source=Problem.Source.INSPECTION,
        text=INSPECTION,
        year=year,
        source_ref="demo.inspection",
    )
    problems = list(
        Problem.objects.filter(org__area__path__startswith=street.path, year=year)
        .filter(Q(rectification__isnull=True))
        .select_related("org__area")
        .order_by("id")
    )
    states = ["open", "submitted", "closed", "returned", "overdue"]
    for index, problem in enumerate(problems):
        state = states[index % len(states)]
        deadline = today + datetime.timedelta(days=-10 if state == "overdue" else 45)
        if state == "closed":
            deadline = today + datetime.timedelta(days=5)
        upper = street_user if problem.org.area.level == "community" else users["demo_district"]
        item = services.rectification_create(
            actor=upper,
            problem=problem,
            owner=problem.org.secretary_name or "支部书记",
            measures="制定整改方案，明确时间节点，逐项对账销号",
            deadline=deadline,
        )
        actor = community_user if problem.org_id == anchors.community_org.pk else street_user
        if state in ("submitted", "closed", "returned"):
            services.rectification_attach(
                actor=actor, item=item, upload=_photo(), caption="整改现场"
            )
            services.rectification_submit(actor=actor, item=item, note="已完成整改")
        if state == "closed":
            services.rectification_confirm(actor=upper, item=item)
        elif state == "returned":
            services.rectification_return(actor=upper, item=item, reason="佐证材料不充分，请补充")
    services.rectification_overdue_check(today=today)
    return Rectification.objects.filter(org__area__path__startswith=street.path).count()

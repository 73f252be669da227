"""The organizational-life app's standard ledgers (台账): 三会一课 and the other meetings
(all together and one ledger per kind), attendance, compliance by org, decisions,
deliberation (四议两公开: topics, the procedure's steps, disclosures, issues), contact
points with their visits and problems, household links and visits. Each reads the app's
scoped selectors in a fixed number of queries."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.ledgers import Subject, columns, percent, register_ledgers
from jiceng.core.scope import KIND_ORGLIFE, scope_for
from jiceng.orglife.models import (
    Attendance,
    ContactProblem,
    ContactVisit,
    Issue,
    MeetingKind,
    MeetingTask,
    Step,
    Topic,
)
from jiceng.orglife.selectors import (
    area_compliance,
    contact_point_list,
    household_link_list,
    issue_list,
    meeting_list,
    problem_list,
    task_list,
    topic_list,
    visit_list,
)

APP = "orglife"
KIND = dict(MeetingKind.choices)
ATTENDANCE = dict(Attendance.Status.choices)
TOPIC_STATE = dict(Topic.State.choices)
STEP_KIND = dict(Step.Kind.choices)
ISSUE_SOURCE = dict(Issue.Source.choices)
PROBLEM_STATUS = dict(ContactProblem.Status.choices)
TASK_STATUS = dict(MeetingTask.Status.choices)
MEETING_PLACE = {"area": "org__area", "org": "org"}
# The kinds the branch regulation requires of branches (orglife.requirements), one ledger
# each; 党小组会 is in the all-meetings ledger (the demo holds no 党小组).
KIND_LEDGERS = (
    ("member_meeting", _("支部党员大会台账")),
    ("committee_meeting", _("支部委员会会议台账")),
    ("lecture", _("党课台账")),
    ("themed_day", _("主题党日台账")),
    ("org_life_review", _("组织生活会台账")),
    ("member_appraisal", _("民主评议党员会议台账")),
)


def _meetings(viewer, subject: Subject, kind: str | None = None):
    found = subject.narrow(meeting_list(viewer=viewer, kind=kind), **MEETING_PLACE)
    return found.filter(**subject.period.dates("held_on")).order_by("held_on", "id")


def _meeting_row(m) -> tuple:
    return (
        m.held_on,
        m.org.name,
        KIND[m.kind],
        m.topic,
        m.place,
        m.presider,
        m.lecturer,
        m.register_count,
        m.attended_count,
        percent(m.attended_count, m.register_count),
    )


def meetings(viewer, subject: Subject):
    for meeting in _meetings(viewer, subject).iterator(2000):
        yield _meeting_row(meeting)


def meetings_of_kind(kind: str):
    def rows(viewer, subject: Subject):
        for meeting in _meetings(viewer, subject, kind).iterator(2000):
            yield _meeting_row(meeting)

    return rows


def meetings_by_org(viewer, subject: Subject):
    """Per org and kind: how many meetings were held and how many attended."""
    rows = (
        _meetings(viewer, subject)
        .values("org__name", "org__path", "kind")
        .annotate(count=Count("id"))
        .order_by("org__path", "kind")
    )
    totals = (
        _meetings(viewer, subject)
        .values("org__path", "kind")
        .annotate(
            register=Count("attendance"),
            attended=Count("attendance", filter=Q(attendance__status__in=Attendance.ATTENDED)),
        )
    )
    seen = {(t["org__path"], t["kind"]): t for t in totals}
    for r in rows:
        t = seen.get((r["org__path"], r["kind"]), {})
        yield (
            r["org__name"],
            KIND[r["kind"]],
            r["count"],
            percent(t.get("attended"), t.get("register")),
        )


def compliance(viewer, subject: Subject):
    """Each org's 三会一课 compliance for the period's year (the year's roll-up)."""
    if subject.area is None:
        return
    year = subject.period.start.year
    for line in area_compliance(viewer=viewer, area=subject.area, year=year):
        yield (
            line.org.name,
            line.org.area.name,
            year,
            line.due,
            line.held,
            line.missing,
            line.attendance_rate,
            "；".join(f"{KIND.get(kind, kind)}：{label}" for kind, label in line.missed),
        )


def _attendance(viewer, subject: Subject):
    rows = scope_for(viewer).filter(Attendance.objects.all())
    return subject.narrow(rows, area="meeting__org__area", org="meeting__org").filter(
        **subject.period.dates("meeting__held_on")
    )


def absences(viewer, subject: Subject):
    rows = (
        _attendance(viewer, subject)
        .filter(status__in=(Attendance.Status.EXCUSED, Attendance.Status.ABSENT))
        .order_by("meeting__held_on", "meeting_id", "member__name", "id")
        .values_list(
            "meeting__held_on",
            "meeting__org__name",
            "meeting__kind",
            "member__name",
            "status",
            "reason",
        )
    )
    for held, org, kind, name, status, reason in rows:
        yield (held, org, KIND[kind], name, ATTENDANCE[status], reason)


def attendance_by_member(viewer, subject: Subject):
    rows = (
        _attendance(viewer, subject)
        .values("member_id", "member__name", "member__org__name", "member__org__path")
        .annotate(
            meetings=Count("id"),
            attended=Count("id", filter=Q(status__in=Attendance.ATTENDED)),
            excused=Count("id", filter=Q(status=Attendance.Status.EXCUSED)),
            absent=Count("id", filter=Q(status=Attendance.Status.ABSENT)),
        )
        .order_by("member__org__path", "member__name", "member_id")
    )
    for r in rows:
        yield (
            r["member__name"],
            r["member__org__name"],
            r["meetings"],
            r["attended"],
            r["excused"],
            r["absent"],
            percent(r["attended"], r["meetings"]),
        )


def meeting_tasks(viewer, subject: Subject):
    found = subject.narrow(
        task_list(viewer=viewer), area="meeting__org__area", org="meeting__org"
    ).filter(**subject.period.dates("meeting__held_on"))
    for t in found:
        yield (
            t.meeting.org.name,
            t.meeting.held_on,
            KIND[t.meeting.kind],
            t.decision,
            t.owner_member.name if t.owner_member_id else t.owner_name,
            t.deadline,
            TASK_STATUS[t.status],
            t.done_at,
        )


def _topics(viewer, subject: Subject):
    return subject.narrow(topic_list(viewer=viewer), area="community", org="org")


def topics(viewer, subject: Subject):
    found = _topics(viewer, subject).filter(**subject.period.times("created_at"))
    for t in found.annotate(steps_count=Count("steps")):
        yield (
            t.community.name,
            t.title,
            t.org.name if t.org_id else "",
            TOPIC_STATE[t.state],
            t.steps_count,
            t.resolution_published_on,
            t.result_published_on,
            t.created_at,
        )


def topic_steps(viewer, subject: Subject):
    steps = scope_for(viewer).filter(Step.objects.all())
    rows = (
        subject.narrow(steps, area="topic__community", org="topic__org")
        .filter(**subject.period.dates("held_on"))
        .order_by("held_on", "topic_id", "id")
        .values_list(
            "topic__community__name",
            "topic__title",
            "kind",
            "held_on",
            "eligible",
            "attended",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "passed",
        )
    )
    for community, title, kind, held, eligible, attended, yes, no, abstain, passed in rows:
        outcome = "" if passed is None else str(_("通过") if passed else _("未通过"))
        yield (
            community,
            title,
            STEP_KIND[kind],
            held,
            eligible,
            attended,
            yes,
            no,
            abstain,
            outcome,
        )


def disclosures(viewer, subject: Subject):
    """决议公开 and 结果公开: what was published and when, in the period."""
    period = subject.period
    found = _topics(viewer, subject).filter(
        Q(**period.dates("resolution_published_on")) | Q(**period.dates("result_published_on"))
    )
    for t in found.order_by("community__path", "id"):
        yield (
            t.community.name,
            t.title,
            t.resolution[:200],
            t.resolution_published_on,
            t.result[:200],
            t.result_published_on,
        )


def issues(viewer, subject: Subject):
    found = subject.narrow(issue_list(viewer=viewer), area="community").filter(
        **subject.period.times("created_at")
    )
    for i in found:
        yield (
            i.community.name,
            i.text[:200],
            ISSUE_SOURCE[i.source],
            i.topic.title if i.topic_id else "",
            i.created_at,
        )


CONTACT_PLACE = {"area": ("org__area", "official_area"), "org": "org"}


def contact_points(viewer, subject: Subject):
    found = subject.narrow(contact_point_list(viewer=viewer), **CONTACT_PLACE)
    for p in found.filter(ended_on__isnull=True):
        yield (
            p.official_name,
            p.official_title,
            p.official_area.name if p.official_area_id else "",
            p.org.name,
            p.org.area.name,
            p.started_on,
            p.visit_count,
            p.open_problems,
        )


def contact_visits(viewer, subject: Subject):
    visits = scope_for(viewer).filter(ContactVisit.objects.all())
    rows = (
        subject.narrow(visits, area=("point__org__area", "point__official_area"), org="point__org")
        .filter(**subject.period.dates("visited_on"))
        .annotate(problem_count=Count("problems"))
        .order_by("visited_on", "id")
        .values_list(
            "visited_on", "point__official_name", "point__org__name", "notes", "problem_count"
        )
    )
    for visited, official, org, notes, problems in rows:
        yield (visited, official, org, notes[:200], problems)


def contact_problems(viewer, subject: Subject):
    found = subject.narrow(
        problem_list(viewer=viewer),
        area=("point__org__area", "point__official_area"),
        org="point__org",
    ).filter(**subject.period.times("created_at"))
    for p in found:
        yield (
            p.point.official_name,
            p.point.org.name,
            p.text[:200],
            PROBLEM_STATUS[p.status],
            p.owner_name,
            p.deadline,
            str(_("已转诉求")) if p.appeal_id else "",
            p.resolved_on,
        )


def household_links(viewer, subject: Subject):
    found = subject.narrow(household_link_list(viewer=viewer), area="grid", org="member__org")
    rows = found.annotate(visit_count=Count("visits")).values_list(
        "member__name", "member__org__name", "grid__name", "household", "started_on", "visit_count"
    )
    yield from rows


def household_visits(viewer, subject: Subject):
    found = subject.narrow(visit_list(viewer=viewer), area="link__grid", org="link__member__org")
    for v in found.filter(**subject.period.dates("visited_on")):
        if v.appeal_id:
            outcome = _("已转诉求")
        elif v.need_id:
            outcome = _("已转需求")
        elif v.issue_id:
            outcome = _("已转议事")
        else:
            outcome = ""
        yield (
            v.visited_on,
            v.link.member.name,
            v.link.grid.name,
            v.link.household,
            v.raised[:200],
            str(outcome),
        )


def register() -> None:
    meeting_columns = columns(
        ("held_on", _("日期"), "date"),
        ("org", _("党组织")),
        ("kind", _("会议类型")),
        ("topic", _("主题")),
        ("place", _("地点")),
        ("presider", _("主持人")),
        ("lecturer", _("授课人")),
        ("register", _("应到"), "number"),
        ("attended", _("实到"), "number"),
        ("rate", _("出席率"), "percent"),
    )
    period = {"takes_period": True}
    area_period = {"subjects": ("area",), "takes_period": True}
    specs = [
        (
            "meetings",
            _("三会一课及组织生活会议台账"),
            meetings,
            "meeting_list",
            meeting_columns,
            period,
        ),
        *(
            (
                f"meetings_{kind}",
                title,
                meetings_of_kind(kind),
                "meeting_list",
                meeting_columns,
                period,
            )
            for kind, title in KIND_LEDGERS
        ),
        (
            "meetings_by_org",
            _("组织生活开展情况（按党组织和会议类型）"),
            meetings_by_org,
            "meeting_list",
            columns(
                ("org", _("党组织")),
                ("kind", _("会议类型")),
                ("count", _("次数"), "number"),
                ("rate", _("平均出席率"), "percent"),
            ),
            period,
        ),
        (
            "compliance",
            _("组织生活达标情况（按党组织）"),
            compliance,
            "area_compliance",
            columns(
                ("org", _("党组织")),
                ("area", _("所在区域")),
                ("year", _("年度"), "number"),
                ("due", _("应开（期）"), "number"),
                ("held", _("已开（次）"), "number"),
                ("missing", _("未达标（期）"), "number"),
                ("rate", _("出席率"), "percent"),
                ("missed", _("未达标明细")),
            ),
            area_period,
        ),
        (
            "absences",
            _("请假和缺席记录"),
            absences,
            "meeting_list (attendance)",
            columns(
                ("held_on", _("日期"), "date"),
                ("org", _("党组织")),
                ("kind", _("会议类型")),
                ("name", _("党员")),
                ("status", _("出席情况")),
                ("reason", _("请假事由或参加地点")),
            ),
            period,
        ),
        (
            "attendance_by_member",
            _("党员参加组织生活情况"),
            attendance_by_member,
            "meeting_list (attendance)",
            columns(
                ("name", _("党员")),
                ("org", _("所在党组织")),
                ("meetings", _("应参加（次）"), "number"),
                ("attended", _("参加（次）"), "number"),
                ("excused", _("请假（次）"), "number"),
                ("absent", _("缺席（次）"), "number"),
                ("rate", _("参加率"), "percent"),
            ),
            period,
        ),
        (
            "meeting_tasks",
            _("组织生活会议决定事项台账"),
            meeting_tasks,
            "task_list",
            columns(
                ("org", _("党组织")),
                ("held_on", _("会议日期"), "date"),
                ("kind", _("会议类型")),
                ("decision", _("决定事项")),
                ("owner", _("责任人")),
                ("deadline", _("完成时限"), "date"),
                ("status", _("状态")),
                ("done_at", _("完成时间"), "date"),
            ),
            period,
        ),
        (
            "topics",
            _("协商议事台账（四议两公开）"),
            topics,
            "topic_list",
            columns(
                ("community", _("社区")),
                ("title", _("议题")),
                ("org", _("提议党组织")),
                ("state", _("进度")),
                ("steps", _("已记录程序"), "number"),
                ("resolution_published_on", _("决议公开日期"), "date"),
                ("result_published_on", _("结果公开日期"), "date"),
                ("created_at", _("登记时间"), "date"),
            ),
            period,
        ),
        (
            "topic_steps",
            _("议事程序记录（四议）"),
            topic_steps,
            "topic_get (steps)",
            columns(
                ("community", _("社区")),
                ("topic", _("议题")),
                ("kind", _("程序")),
                ("held_on", _("日期"), "date"),
                ("eligible", _("应到"), "number"),
                ("attended", _("实到"), "number"),
                ("votes_for", _("赞成"), "number"),
                ("votes_against", _("反对"), "number"),
                ("votes_abstain", _("弃权"), "number"),
                ("passed", _("结果")),
            ),
            period,
        ),
        (
            "disclosures",
            _("决议和实施结果公开台账（两公开）"),
            disclosures,
            "topic_list",
            columns(
                ("community", _("社区")),
                ("topic", _("议题")),
                ("resolution", _("决议")),
                ("resolution_published_on", _("决议公开日期"), "date"),
                ("result", _("实施结果")),
                ("result_published_on", _("结果公开日期"), "date"),
            ),
            period,
        ),
        (
            "issues",
            _("议题征集台账"),
            issues,
            "issue_list",
            columns(
                ("community", _("社区")),
                ("text", _("议题内容")),
                ("source", _("来源")),
                ("topic", _("转入议题")),
                ("created_at", _("登记时间"), "date"),
            ),
            area_period,
        ),
        (
            "contact_points",
            _("领导干部联系点台账"),
            contact_points,
            "contact_point_list",
            columns(
                ("official", _("联系领导")),
                ("title", _("职务")),
                ("official_area", _("所在层级")),
                ("org", _("联系党组织")),
                ("area", _("所在区域")),
                ("started_on", _("建立日期"), "date"),
                ("visits", _("走访次数"), "number"),
                ("open_problems", _("未解决问题"), "number"),
            ),
            {},
        ),
        (
            "contact_visits",
            _("联系点走访记录"),
            contact_visits,
            "contact_point_get (visits)",
            columns(
                ("visited_on", _("走访日期"), "date"),
                ("official", _("联系领导")),
                ("org", _("联系党组织")),
                ("notes", _("走访情况")),
                ("problems", _("发现问题数"), "number"),
            ),
            period,
        ),
        (
            "contact_problems",
            _("联系点问题台账"),
            contact_problems,
            "problem_list",
            columns(
                ("official", _("联系领导")),
                ("org", _("联系党组织")),
                ("text", _("问题")),
                ("status", _("状态")),
                ("owner", _("责任人")),
                ("deadline", _("完成时限"), "date"),
                ("appeal", _("去向")),
                ("resolved_on", _("解决日期"), "date"),
            ),
            period,
        ),
        (
            "household_links",
            _("党员联户台账"),
            household_links,
            "household_link_list",
            columns(
                ("member", _("党员")),
                ("org", _("所在党组织")),
                ("grid", _("网格")),
                ("household", _("联系户")),
                ("started_on", _("建立日期"), "date"),
                ("visits", _("走访次数"), "number"),
            ),
            {},
        ),
        (
            "household_visits",
            _("党员联户走访记录"),
            household_visits,
            "visit_list",
            columns(
                ("visited_on", _("走访日期"), "date"),
                ("member", _("党员")),
                ("grid", _("网格")),
                ("household", _("户")),
                ("raised", _("反映的问题")),
                ("outcome", _("去向")),
            ),
            period,
        ),
    ]
    register_ledgers(
        app=APP, title=_("组织生活"), kind=KIND_ORGLIFE, source="orglife.selectors", specs=specs
    )

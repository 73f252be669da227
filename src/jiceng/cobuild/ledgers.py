"""The co-building app's standard ledgers (台账): the three lists (needs, resources,
projects), agreements with their commitments and two-way reviews, joint meetings and
their decisions, venues, their bookings and use. Each reads the app's scoped selectors
in a fixed number of queries."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from jiceng.cobuild.models import (
    AgreementReview,
    Booking,
    Category,
    Commitment,
    MeetingTask,
    Need,
    Project,
    Resource,
    Venue,
)
from jiceng.cobuild.selectors import (
    agreement_list,
    booking_list,
    meeting_list,
    need_list,
    project_list,
    resource_list,
    service_centre_floor_area,
    task_list,
    venue_list,
    venue_usage,
)
from jiceng.core.ledgers import Subject, columns, register_ledgers
from jiceng.core.scope import KIND_COBUILD, scope_for

APP = "cobuild"
CATEGORY = dict(Category.choices)
NEED_SOURCE = dict(Need.Source.choices)
NEED_STATUS = dict(Need.Status.choices)
RESOURCE_KIND = dict(Resource.Kind.choices)
PROJECT_STATE = dict(Project.State.choices)
TASK_STATUS = dict(MeetingTask.Status.choices)
VENUE_KIND = dict(Venue.Kind.choices)
SIDE = dict(Commitment.Side.choices)
REVIEWER = dict(AgreementReview.Reviewer.choices)
UNIT_ORGS = ("unit__own_org", "unit__covering_org")


def _need_row(n: Need) -> tuple:
    return (
        n.title,
        CATEGORY[n.category],
        n.community.name,
        NEED_SOURCE[n.source],
        n.place,
        n.beneficiaries,
        n.window_start,
        n.window_end,
        NEED_STATUS[n.status],
        n.created_at,
    )


def needs(viewer, subject: Subject):
    found = subject.narrow(need_list(viewer=viewer), area="community")
    for need in found.filter(**subject.period.times("created_at")):
        yield _need_row(need)


def needs_open(viewer, subject: Subject):
    found = subject.narrow(need_list(viewer=viewer, status=Need.Status.OPEN), area="community")
    for need in found:
        yield _need_row(need)


def resources(viewer, subject: Subject):
    found = subject.narrow(
        resource_list(viewer=viewer),
        area="area",
        org=("offered_by_org", "dual_report__member__org"),
    )
    for r in found:
        provider = r.offered_by_org.name if r.offered_by_org_id else ""
        if r.dual_report_id and r.dual_report.member_id:
            provider = r.dual_report.member.name
        yield (
            r.title,
            RESOURCE_KIND[r.kind],
            CATEGORY[r.category],
            provider,
            r.area.name,
            r.capacity,
            r.used,
            r.available_from,
            r.available_until,
        )


def _projects(viewer, subject: Subject):
    return subject.narrow(project_list(viewer=viewer), area="need__community", org="provider_org")


def projects(viewer, subject: Subject):
    found = _projects(viewer, subject).filter(**subject.period.times("created_at"))
    for p in found:
        yield (
            p.title,
            p.need.title,
            p.need.community.name,
            p.provider_org.name if p.provider_org_id else "",
            "、".join(r.title for r in p.resources.all()),
            p.budget,
            PROJECT_STATE[p.state],
            p.created_at,
            p.completed_at,
        )


def project_evaluations(viewer, subject: Subject):
    found = (
        _projects(viewer, subject)
        .filter(evaluated_at__isnull=False)
        .filter(**subject.period.times("evaluated_at"))
    )
    for p in found:
        yield (
            p.title,
            p.need.community.name,
            p.provider_org.name if p.provider_org_id else "",
            p.completed_at,
            p.evaluated_at,
            p.score,
            p.evaluation,
        )


def _agreements(viewer, subject: Subject):
    return subject.narrow(agreement_list(viewer=viewer), area="community", org=UNIT_ORGS)


def agreements(viewer, subject: Subject):
    for a in _agreements(viewer, subject):
        commitments = list(a.commitments.all())
        reviews = sorted(a.reviews.all(), key=lambda r: (r.year, r.reviewer))
        yield (
            a.title,
            a.community.name,
            a.unit.name,
            a.signed_on,
            a.valid_from,
            a.valid_until,
            a.ended_on,
            len(commitments),
            "；".join(f"{r.year} {REVIEWER[r.reviewer]} {r.score}" for r in reviews),
        )


def commitments(viewer, subject: Subject):
    for a in _agreements(viewer, subject):
        for c in a.commitments.all():
            yield (
                a.title,
                a.community.name,
                a.unit.name,
                SIDE[c.side],
                c.content,
                c.target,
                c.achieved,
                c.measure,
            )


def agreement_reviews(viewer, subject: Subject):
    """Every year's two-way review (a year is reviewed early the next, so the ledger
    lists them all by year rather than by a period)."""
    for a in _agreements(viewer, subject):
        for r in sorted(a.reviews.all(), key=lambda r: (r.year, r.reviewer)):
            yield (
                a.title,
                a.community.name,
                a.unit.name,
                r.year,
                REVIEWER[r.reviewer],
                r.score,
                r.comment,
            )


def joint_meetings(viewer, subject: Subject):
    found = subject.narrow(meeting_list(viewer=viewer), area="committee__area").filter(
        **subject.period.dates("held_on")
    )
    tasks = Count("tasks", distinct=True)
    for m in found.annotate(task_count=tasks).order_by("held_on", "id"):
        yield (
            m.committee.name,
            m.title,
            m.held_on,
            m.place,
            m.attendee_count,
            m.task_count,
            m.open_tasks,
        )


def joint_tasks(viewer, subject: Subject):
    found = subject.narrow(task_list(viewer=viewer), area="meeting__committee__area").filter(
        **subject.period.dates("meeting__held_on")
    )
    for t in found:
        yield (
            t.meeting.committee.name,
            t.meeting.title,
            t.meeting.held_on,
            t.decision,
            t.owner_member.name if t.owner_member_id else t.owner_name,
            t.deadline,
            TASK_STATUS[t.status],
            t.done_at,
            t.done_note,
        )


def venues(viewer, subject: Subject):
    found = subject.narrow(venue_list(viewer=viewer), area="area", org=UNIT_ORGS)
    for v in found:
        rooms = [r for r in v.rooms.all() if r.is_active]
        yield (
            v.name,
            VENUE_KIND[v.kind],
            v.area.name,
            v.unit.name if v.unit_id else "",
            v.address,
            v.floor_area,
            len(rooms),
            sum(r.seats for r in rooms),
            v.opening_hours,
        )


def venue_bookings(viewer, subject: Subject):
    period = subject.period
    found = subject.narrow(
        booking_list(
            viewer=viewer, start=period.start_at(), end=period.end_at(), include_cancelled=True
        ),
        area="room__venue__area",
        org=tuple(f"room__venue__{p}" for p in UNIT_ORGS),
    )
    for b in found:
        yield (
            b.room.venue.name,
            b.room.name,
            b.starts_at,
            b.ends_at,
            b.purpose,
            b.booked_for,
            str(_("已取消")) if b.cancelled_at else str(_("有效")),
        )


def venue_use_by_month(viewer, subject: Subject):
    """Live bookings and booked hours per venue and month of the period."""
    period = subject.period
    for row in venue_usage(viewer=viewer, area=subject.area, year=period.start.year):
        if period.start <= row.month < period.end:
            yield (row.venue_name, row.month.strftime("%Y-%m"), row.bookings, row.hours)


def service_centre_area(viewer, subject: Subject):
    for check in service_centre_floor_area(viewer=viewer, area=subject.area):
        yield (
            check.community.name,
            check.community.code,
            check.floor_area,
            check.required,
            str(_("达标")) if check.ok else str(_("未达标")),
            check.shortfall,
        )


def bookings_by_purpose(viewer, subject: Subject):
    """How the venues were used: live bookings per venue kind and purpose."""
    bookings = scope_for(viewer).filter(Booking.objects.filter(cancelled_at__isnull=True))
    rows = (
        subject.narrow(bookings, area="room__venue__area")
        .filter(**subject.period.times("starts_at"))
        .values("room__venue__kind", "purpose")
        .annotate(count=Count("id"))
        .order_by("room__venue__kind", "-count", "purpose")
    )
    for r in rows:
        yield (VENUE_KIND[r["room__venue__kind"]], r["purpose"], r["count"])


def register() -> None:
    need_columns = columns(
        ("title", _("需求名称")),
        ("category", _("服务类别")),
        ("community", _("社区")),
        ("source", _("来源")),
        ("place", _("地点")),
        ("beneficiaries", _("受益人数"), "number"),
        ("window_start", _("期望开始"), "date"),
        ("window_end", _("期望结束"), "date"),
        ("status", _("状态")),
        ("created_at", _("登记时间"), "date"),
    )
    area_period = {"subjects": ("area",), "takes_period": True}
    specs = [
        ("needs", _("需求清单"), needs, "need_list", need_columns, area_period),
        (
            "needs_open",
            _("待对接需求"),
            needs_open,
            "need_list",
            need_columns,
            {"subjects": ("area",)},
        ),
        (
            "resources",
            _("资源清单"),
            resources,
            "resource_list",
            columns(
                ("title", _("资源名称")),
                ("kind", _("资源类型")),
                ("category", _("服务类别")),
                ("provider", _("提供方")),
                ("area", _("所在区域")),
                ("capacity", _("可服务次数"), "number"),
                ("used", _("在用项目数"), "number"),
                ("available_from", _("可用开始"), "date"),
                ("available_until", _("可用结束"), "date"),
            ),
            {},
        ),
        (
            "projects",
            _("项目清单"),
            projects,
            "project_list",
            columns(
                ("title", _("项目名称")),
                ("need", _("需求")),
                ("community", _("社区")),
                ("provider_org", _("承接党组织")),
                ("resources", _("资源")),
                ("budget", _("预算（元）"), "number"),
                ("state", _("状态")),
                ("created_at", _("立项时间"), "date"),
                ("completed_at", _("完成时间"), "date"),
            ),
            {"takes_period": True},
        ),
        (
            "project_evaluations",
            _("项目评价台账"),
            project_evaluations,
            "project_list",
            columns(
                ("title", _("项目名称")),
                ("community", _("社区")),
                ("provider_org", _("承接党组织")),
                ("completed_at", _("完成时间"), "date"),
                ("evaluated_at", _("评价时间"), "date"),
                ("score", _("评分（1–5）"), "number"),
                ("evaluation", _("评价意见")),
            ),
            {"takes_period": True},
        ),
        (
            "agreements",
            _("共建协议台账"),
            agreements,
            "agreement_list",
            columns(
                ("title", _("协议名称")),
                ("community", _("社区")),
                ("unit", _("共建单位")),
                ("signed_on", _("签订日期"), "date"),
                ("valid_from", _("生效日期"), "date"),
                ("valid_until", _("到期日期"), "date"),
                ("ended_on", _("终止日期"), "date"),
                ("commitments", _("承诺事项数"), "number"),
                ("reviews", _("双向考核")),
            ),
            {},
        ),
        (
            "commitments",
            _("共建承诺完成情况"),
            commitments,
            "agreement_list",
            columns(
                ("agreement", _("协议名称")),
                ("community", _("社区")),
                ("unit", _("共建单位")),
                ("side", _("承诺方")),
                ("content", _("承诺内容")),
                ("target", _("目标值"), "number"),
                ("achieved", _("完成值"), "number"),
                ("measure", _("计量单位")),
            ),
            {},
        ),
        (
            "agreement_reviews",
            _("共建双向考核台账"),
            agreement_reviews,
            "agreement_list",
            columns(
                ("agreement", _("协议名称")),
                ("community", _("社区")),
                ("unit", _("共建单位")),
                ("year", _("考核年度"), "number"),
                ("reviewer", _("评价方")),
                ("score", _("得分"), "number"),
                ("comment", _("评价意见")),
            ),
            {},
        ),
        (
            "joint_meetings",
            _("联席会议台账"),
            joint_meetings,
            "meeting_list",
            columns(
                ("committee", _("大党委")),
                ("title", _("会议名称")),
                ("held_on", _("会议日期"), "date"),
                ("place", _("会议地点")),
                ("attendees", _("出席委员数"), "number"),
                ("tasks", _("议定事项数"), "number"),
                ("open_tasks", _("未完成事项"), "number"),
            ),
            area_period,
        ),
        (
            "joint_tasks",
            _("联席会议议定事项台账"),
            joint_tasks,
            "task_list",
            columns(
                ("committee", _("大党委")),
                ("meeting", _("会议名称")),
                ("held_on", _("会议日期"), "date"),
                ("decision", _("议定事项")),
                ("owner", _("责任委员或单位")),
                ("deadline", _("完成时限"), "date"),
                ("status", _("状态")),
                ("done_at", _("完成时间"), "date"),
                ("done_note", _("完成情况")),
            ),
            area_period,
        ),
        (
            "venues",
            _("阵地台账"),
            venues,
            "venue_list",
            columns(
                ("name", _("阵地名称")),
                ("kind", _("类型")),
                ("area", _("所在区域")),
                ("unit", _("开放单位")),
                ("address", _("地址")),
                ("floor_area", _("面积（平方米）"), "number"),
                ("rooms", _("活动室数"), "number"),
                ("seats", _("座位数"), "number"),
                ("opening_hours", _("开放时间")),
            ),
            {},
        ),
        (
            "venue_bookings",
            _("阵地预约使用记录"),
            venue_bookings,
            "booking_list",
            columns(
                ("venue", _("阵地")),
                ("room", _("活动室")),
                ("starts_at", _("开始时间"), "date"),
                ("ends_at", _("结束时间"), "date"),
                ("purpose", _("用途")),
                ("booked_for", _("使用方")),
                ("state", _("状态")),
            ),
            {"takes_period": True},
        ),
        (
            "venue_use_by_month",
            _("阵地使用统计（按月）"),
            venue_use_by_month,
            "venue_usage",
            columns(
                ("venue", _("阵地")),
                ("month", _("月份")),
                ("bookings", _("预约次数"), "number"),
                ("hours", _("使用时长（小时）"), "number"),
            ),
            area_period,
        ),
        (
            "bookings_by_purpose",
            _("阵地使用用途统计"),
            bookings_by_purpose,
            "booking_list",
            columns(
                ("kind", _("阵地类型")), ("purpose", _("用途")), ("count", _("次数"), "number")
            ),
            area_period,
        ),
        (
            "service_centre_area",
            _("党群服务中心面积达标情况"),
            service_centre_area,
            "service_centre_floor_area",
            columns(
                ("community", _("社区")),
                ("code", _("区划代码")),
                ("floor_area", _("党群服务中心面积（平方米）"), "number"),
                ("required", _("要求面积（平方米）"), "number"),
                ("ok", _("是否达标")),
                ("shortfall", _("差额（平方米）"), "number"),
            ),
            {"subjects": ("area",)},
        ),
    ]
    register_ledgers(
        app=APP, title=_("区域化党建"), kind=KIND_COBUILD, source="cobuild.selectors", specs=specs
    )

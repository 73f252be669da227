"""The org's 组织生活 ledger (会议记录 and 学习记录) for a year as Excel, generated from
the records — nothing typed again. Text is written as text (a topic starting with "="
stays a topic), and every export leaves an audit row."""

import io

import xlsxwriter
from django.utils.translation import gettext as _

from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry
from jiceng.orglife import selectors
from jiceng.orglife.compliance import year_range
from jiceng.orglife.models import Attendance, MeetingKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Learning (学习记录): lectures and themed days; the rest are meetings (会议记录).
LEARNING = frozenset({MeetingKind.LECTURE, MeetingKind.THEMED_DAY})


def ledger_xlsx(*, viewer, org, year: int) -> tuple[bytes, str]:
    start, end = year_range(year)
    meetings = list(
        selectors.meeting_list(viewer=viewer, org=org, year=year)
        .prefetch_related("attendance__member")
        .order_by("held_on", "id")
    )
    result = selectors.org_compliance(viewer=viewer, org=org, start=start, end=end)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 14})

    def sheet(name: str, heading: str, columns: list[tuple[str, int]], rows: list[list]):
        ws = book.add_worksheet(name)
        ws.write_string(0, 0, heading, title)
        for col, (label, width) in enumerate(columns):
            ws.set_column(col, col, width)
            ws.write_string(2, col, label, head)
        for r, row in enumerate(rows, start=3):
            for c, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, c, value, cell)
                else:
                    ws.write_string(r, c, "" if value is None else str(value), cell)
        ws.freeze_panes(3, 0)

    def counts(meeting):
        rows = list(meeting.attendance.all())
        excused = sum(1 for a in rows if a.status == Attendance.Status.EXCUSED)
        absent = sum(1 for a in rows if a.status == Attendance.Status.ABSENT)
        rate = f"{meeting.attendance_rate:.0%}" if meeting.attendance_rate is not None else ""
        return [meeting.register_count, meeting.attended_count, excused, absent, rate]

    def names(meeting, statuses) -> str:
        return "、".join(
            a.member.name + (f"（{a.reason}）" if a.reason else "")
            for a in meeting.attendance.all()
            if a.status in statuses
        )

    heading = f"{org.name} {year} " + _("年度组织生活台账")
    meeting_cols = [
        (_("日期"), 12),
        (_("会议类型"), 14),
        (_("主题"), 30),
        (_("地点"), 18),
        (_("主持人"), 10),
        (_("应到"), 6),
        (_("实到"), 6),
        (_("请假"), 6),
        (_("缺席"), 6),
        (_("出席率"), 8),
        (_("请假人员及事由"), 24),
        (_("缺席人员"), 20),
        (_("会议记录"), 50),
        (_("决定事项"), 40),
    ]
    sheet(
        _("会议记录"),
        heading + " · " + _("会议记录"),
        meeting_cols,
        [
            [
                str(m.held_on),
                m.get_kind_display(),
                m.topic,
                m.place,
                m.presider,
                *counts(m),
                names(m, {Attendance.Status.EXCUSED}),
                names(m, {Attendance.Status.ABSENT}),
                m.minutes,
                m.decisions,
            ]
            for m in meetings
            if m.kind not in LEARNING
        ],
    )
    sheet(
        _("学习记录"),
        heading + " · " + _("学习记录"),
        [
            (_("日期"), 12),
            (_("形式"), 12),
            (_("学习内容"), 34),
            (_("授课人"), 10),
            (_("地点"), 18),
            (_("应到"), 6),
            (_("实到"), 6),
            (_("请假"), 6),
            (_("缺席"), 6),
            (_("出席率"), 8),
            (_("记录"), 50),
        ],
        [
            [
                str(m.held_on),
                m.get_kind_display(),
                m.topic,
                m.lecturer,
                m.place,
                *counts(m),
                m.minutes,
            ]
            for m in meetings
            if m.kind in LEARNING
        ],
    )
    sheet(
        _("达标情况"),
        heading + " · " + _("达标情况"),
        [
            (_("会议类型"), 16),
            (_("要求"), 12),
            (_("应开（期）"), 10),
            (_("已开（次）"), 10),
            (_("未达标期间"), 40),
            (_("进行中"), 14),
        ],
        [
            [
                k.label,
                f"{k.period}×{k.times}",
                len(k.due),
                k.held,
                "、".join(p.label for p in k.missing),
                "、".join(p.label for p in k.in_progress),
            ]
            for k in result.kinds
        ],
    )
    book.close()
    audit_record(
        actor=viewer,
        action=AuditEntry.Action.EXPORT,
        target=org,
        changes={"ledger": "orglife", "year": year, "meetings": len(meetings)},
    )
    return buffer.getvalue(), f"orglife-ledger-{org.pk}-{year}.xlsx"


def _table(title: str, columns: list[tuple[str, int]], rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    ws = book.add_worksheet(title[:31])
    for col, (label, width) in enumerate(columns):
        ws.set_column(col, col, width)
        ws.write_string(0, col, label, head)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, c, value, cell)
            else:
                ws.write_string(r, c, "" if value is None else str(value), cell)
    ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _audited(viewer, name: str, area, rows: int) -> None:
    audit_record(
        actor=viewer,
        action=AuditEntry.Action.EXPORT,
        target=area,
        target_type=None if area is not None else "orglife.export",
        target_id=None if area is not None else name,
        changes={"export": f"orglife.{name}", "rows": rows},
    )


def list_xlsx(*, viewer, name: str, area=None, year: int | None = None) -> tuple[bytes, str]:
    """One of the app's lists as a sheet: compliance (roll-up for the year), topics,
    contact-point problems, household visits. Scoped like the pages."""
    if name == "compliance":
        found = selectors.area_compliance(viewer=viewer, area=area, year=year)
        columns = [
            (_("党组织"), 36),
            (_("所在区域"), 20),
            (_("应开（期）"), 10),
            (_("已开（次）"), 10),
            (_("未达标（期）"), 12),
            (_("出席率"), 8),
            (_("未达标明细"), 60),
        ]
        rows = [
            [
                r.org.name,
                r.org.area.name,
                r.due,
                r.held,
                r.missing,
                f"{r.attendance_rate:.0%}" if r.attendance_rate is not None else "",
                "；".join(f"{MeetingKind(kind).label}：{period}" for kind, period in r.missed),
            ]
            for r in found
        ]
        title = _("组织生活达标情况")
    elif name == "topics":
        columns = [
            (_("社区"), 20),
            (_("议题"), 30),
            (_("进度"), 16),
            (_("决议"), 40),
            (_("决议公开日期"), 12),
            (_("实施结果"), 40),
            (_("结果公开日期"), 12),
        ]
        rows = [
            [
                t.community.name,
                t.title,
                t.get_state_display(),
                t.resolution,
                str(t.resolution_published_on or ""),
                t.result,
                str(t.result_published_on or ""),
            ]
            for t in selectors.topic_list(viewer=viewer, area=area)[:5000]
        ]
        title = _("协商议事")
    elif name == "problems":
        columns = [
            (_("联系领导"), 12),
            (_("联系党组织"), 30),
            (_("问题"), 40),
            (_("状态"), 8),
            (_("责任人"), 14),
            (_("完成时限"), 12),
            (_("解决情况"), 40),
            (_("解决日期"), 12),
        ]
        rows = [
            [
                p.point.official_name,
                p.point.org.name,
                p.text,
                p.get_status_display(),
                p.owner_name,
                str(p.deadline or ""),
                p.resolution,
                str(p.resolved_on or ""),
            ]
            for p in selectors.problem_list(viewer=viewer, area=area)[:5000]
        ]
        title = _("联系点问题")
    elif name == "visits":
        columns = [
            (_("走访日期"), 12),
            (_("党员"), 10),
            (_("网格"), 14),
            (_("户"), 20),
            (_("反映的问题"), 40),
            (_("去向"), 12),
        ]
        rows = [
            [
                str(v.visited_on),
                v.link.member.name,
                v.link.grid.name,
                v.link.household,
                v.raised,
                _("已转诉求")
                if v.appeal_id
                else _("已转需求")
                if v.need_id
                else _("已转议事")
                if v.issue_id
                else "",
            ]
            for v in selectors.visit_list(viewer=viewer, area=area)[:5000]
        ]
        title = _("走访记录")
    else:
        raise ValueError(name)
    _audited(viewer, name, area, len(rows))
    return _table(str(title), columns, rows), f"orglife-{name}.xlsx"

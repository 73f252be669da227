"""The assessment table and the three lists (task, problem, rectification) as Excel,
from the records as the viewer may see them (selectors), text written as text
(core.excel), each export leaving an audit row."""

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.assessment import selectors
from jiceng.assessment.models import AssessedGroup, Grade, Scheme
from jiceng.core.audit import audit_record
from jiceng.core.excel import workbook
from jiceng.core.models import AuditEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMES = ("assessments", "tasks", "problems", "rectifications")
LIMIT = 20000


def _grade(code: str) -> str:
    return str(Grade(code).label) if code else ""


def assessment_rows(viewer, scheme: Scheme) -> tuple[list[str], list[list]]:
    rows, _whole = selectors.ranking(viewer=viewer, scheme=scheme)
    labels = [item.label for item in scheme.items.all()]
    headers = [
        _("类别"),
        _("党组织"),
        *labels,
        _("指标得分"),
        _("评议得分"),
        _("评议等次"),
        _("总分"),
        _("名次"),
    ]
    table = []
    for row in rows:
        shown = {f.get("label"): f.get("shown", "") for f in row.figures}
        table.append(
            [
                str(AssessedGroup(row.group).label),
                row.org.name,
                *[shown.get(label, "") for label in labels],
                float(row.item_score) if row.item_score is not None else None,
                float(row.review_score) if row.review_score is not None else None,
                _grade(row.grade),
                float(row.score) if row.score is not None else None,
                row.rank,
            ]
        )
    return headers, table


def list_rows(viewer, name: str, year: int) -> tuple[list[str], list[list]]:
    today = timezone.localdate()
    if name == "tasks":
        tasks = selectors.task_list(viewer=viewer, year=year)[:LIMIT]
        return [_("党组织"), _("来源"), _("任务"), _("举措"), _("完成时限"), _("完成情况")], [
            [
                t.assessment.org.name,
                t.get_source_display(),
                t.text,
                t.measure,
                t.deadline.isoformat(),
                f"{t.done_on.isoformat()} {t.done_note}" if t.done_on else _("未完成"),
            ]
            for t in tasks
        ]
    if name == "problems":
        problems = selectors.problem_list(viewer=viewer, year=year)[:LIMIT]
        return [_("年度"), _("党组织"), _("来源"), _("问题"), _("整改状态")], [
            [
                p.year,
                p.org.name,
                p.get_source_display(),
                p.text,
                p.rectification.get_state_display()
                if hasattr(p, "rectification")
                else _("未制定整改事项"),
            ]
            for p in problems
        ]
    items = selectors.rectification_list(viewer=viewer, year=year)[:LIMIT]
    return [
        _("党组织"),
        _("问题"),
        _("责任人"),
        _("整改措施"),
        _("整改时限"),
        _("状态"),
        _("是否逾期"),
        _("整改情况"),
    ], [
        [
            i.org.name,
            i.problem.text,
            i.owner,
            i.measures,
            i.deadline.isoformat(),
            i.get_state_display(),
            _("逾期") if i.is_overdue(today) else "",
            i.closure_note,
        ]
        for i in items
    ]


def export_xlsx(*, viewer, name: str, year: int, scheme: Scheme | None = None):
    """(content, filename) of one export; an audit row says who exported what."""
    if name == "assessments" and scheme is not None:
        headers, rows = assessment_rows(viewer, scheme)
        target = scheme
    else:
        headers, rows = list_rows(viewer, name, year)
        target = None
    content = workbook(headers, rows, sheet=name)
    audit_record(
        actor=viewer,
        action=AuditEntry.Action.EXPORT,
        target=target,
        target_type=None if target is not None else "assessment.export",
        target_id=None if target is not None else name,
        changes={"export": f"assessment.{name}", "year": year, "rows": len(rows)},
    )
    return content, f"assessment-{name}-{year}.xlsx"

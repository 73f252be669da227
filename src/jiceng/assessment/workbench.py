"""The responsibility system on the workbench: the report to write, reviews to give,
rectification items due or overdue, closures to confirm, and the overdue items escalated
to the viewer's level. Work an outcome depends on, never activity."""

import datetime

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.assessment import selectors
from jiceng.assessment.models import Rectification, Report, Reviewer
from jiceng.core.scope import KIND_ASSESSMENT, KIND_PARTY_ORG, Scope
from jiceng.dashboard.workbench import (
    OPEN,
    OVERDUE,
    Todo,
    TodoSource,
    due_soon_window,
    few_or_many,
    items_from,
    register_source,
    urgency_of,
)


def _acts(scope: Scope) -> bool:
    return scope.everything or bool(scope.managed_area_paths() or scope.managed_org_paths())


def _report_items(viewer, scope: Scope, now) -> list[Todo]:
    if not _acts(scope):
        return []
    reports = selectors.reports_to_write(viewer=viewer).order_by("id")

    def one(report: Report) -> Todo:
        year = report.assessment.year
        return Todo(
            source="assessment_reports",
            title=f"{year} · {report.assessment.org.name}",
            action=gettext("撰写并提交年度述职报告"),
            url=reverse("assessment:report", args=[report.pk]),
            urgency=urgency_of(datetime.date(year, 12, 31), now),
            due=datetime.date(year, 12, 31),
        )

    def many() -> list[Todo]:
        return [
            Todo(
                source="assessment_reports",
                title=gettext("待提交的述职报告"),
                action=gettext("撰写并提交年度述职报告"),
                url=reverse("assessment:home"),
                count=reports.count(),
                is_group=True,
            )
        ]

    return items_from(few_or_many(reports), one, many)


def _review_items(viewer, scope: Scope, now) -> list[Todo]:
    rows = selectors.reviews_to_give(viewer=viewer)

    def one(row: Reviewer) -> Todo:
        return Todo(
            source="assessment_reviews",
            title=f"{row.report.assessment.year} · {row.report.assessment.org.name}",
            action=gettext("对书记述职进行评议"),
            url=reverse("assessment:review", args=[row.pk]),
            urgency=OPEN,
        )

    def many() -> list[Todo]:
        return [
            Todo(
                source="assessment_reviews",
                title=gettext("待评议的述职"),
                action=gettext("逐一评议"),
                url=reverse("assessment:home"),
                count=rows.count(),
                is_group=True,
            )
        ]

    return items_from(few_or_many(rows), one, many)


def items_due(*, viewer, today: datetime.date):
    """Open or returned items of orgs the viewer acts for, due within the window or past."""
    return selectors.items_to_rectify(viewer=viewer).filter(deadline__lte=today + due_soon_window())


def _rectification_items(viewer, scope: Scope, now) -> list[Todo]:
    if not _acts(scope):
        return []
    items = items_due(viewer=viewer, today=timezone.localdate(now))

    def one(item: Rectification) -> Todo:
        return Todo(
            source="assessment_rectifications",
            title=f"{item.problem.text[:40]} · {item.org.name}",
            action=gettext("落实整改并申请销号"),
            url=reverse("assessment:rectification", args=[item.pk]),
            urgency=urgency_of(item.deadline, now),
            due=item.deadline,
        )

    def many() -> list[Todo]:
        row = items.order_by().aggregate(n=Count("id"), first=Min("deadline"))
        return [
            Todo(
                source="assessment_rectifications",
                title=gettext("到期的整改事项"),
                action=gettext("落实整改并申请销号"),
                url=reverse("assessment:rectifications"),
                urgency=urgency_of(row["first"], now),
                due=row["first"],
                count=row["n"],
                is_group=True,
            )
        ]

    return items_from(few_or_many(items), one, many)


def _counted(source: str, title, action, url: str, urgency: str):
    def items(viewer, scope: Scope, now) -> list[Todo]:
        if not scope.manages_territory:
            return []
        count = source_queryset(source, viewer).order_by().count()
        if not count:
            return []
        return [
            Todo(
                source=f"assessment_{source}",
                title=str(title),
                action=str(action),
                url=url if url.startswith("/") else reverse(url),
                urgency=urgency,
                count=count,
                is_group=True,
            )
        ]

    return items


def source_queryset(source: str, viewer):
    if source == "closures":
        return selectors.closures_to_confirm(viewer=viewer)
    return selectors.escalated_to_viewer(viewer=viewer)


def register() -> None:
    for key, label, kind, items, order in (
        ("assessment_reports", _("述职报告"), KIND_ASSESSMENT, _report_items, 40),
        # Reviewers may be party members whose role sees orgs only.
        ("assessment_reviews", _("述职评议"), KIND_PARTY_ORG, _review_items, 41),
        ("assessment_rectifications", _("整改事项"), KIND_ASSESSMENT, _rectification_items, 42),
        (
            "assessment_closures",
            _("整改销号确认"),
            KIND_ASSESSMENT,
            _counted(
                "closures",
                _("申请销号的整改事项"),
                _("审核佐证，确认销号或退回"),
                "/assessment/rectifications/?state=submitted",
                OPEN,
            ),
            43,
        ),
        (
            "assessment_escalated",
            _("逾期整改督办"),
            KIND_ASSESSMENT,
            _counted(
                "escalated",
                _("下级逾期未销号的整改事项"),
                _("督促整改"),
                "/assessment/rectifications/?state=overdue",
                OVERDUE,
            ),
            44,
        ),
    ):
        register_source(TodoSource(key=key, label=label, kind=kind, items=items, order=order))

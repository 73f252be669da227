"""Dispatch and notification on the dashboard: tasks due (reports still owed on sent
tasks) and late reports (owed past the deadline), under an area. Outcomes of the work
asked for, never receipts or read times."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.linkage import selectors


def tasks_due(viewer, area) -> int:
    return selectors.reports_under(viewer=viewer, area=area).count()


def late_reports(viewer, area) -> int:
    return (
        selectors.reports_under(viewer=viewer, area=area)
        .filter(recipient__dispatch__deadline__lt=timezone.localdate())
        .count()
    )


def register() -> None:
    register_indicator(
        Indicator(
            key="linkage_tasks_due",
            label=_("上级任务待报"),
            kind="linkage",
            total=tasks_due,
            url=lambda area: reverse("linkage:inbox_tasks"),
            order=70,
        )
    )
    register_indicator(
        Indicator(
            key="linkage_late_reports",
            label=_("逾期未报"),
            kind="linkage",
            total=late_reports,
            url=lambda area: reverse("linkage:dispatches"),
            alert=True,
            order=71,
        )
    )

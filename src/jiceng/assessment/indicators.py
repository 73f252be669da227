"""The responsibility system on the dashboard: rectification items past their deadline
and not closed (销号), under an area. An outcome that asks for action, never activity."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.assessment import selectors
from jiceng.core.scope import KIND_ASSESSMENT
from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.dashboard.selectors import group_by_child


def overdue_items(viewer, area):
    return selectors.overdue(selectors.rectification_list(viewer=viewer, area=area))


def register() -> None:
    register_indicator(
        Indicator(
            key="assessment_rectifications_overdue",
            label=_("逾期未销号的整改事项"),
            kind=KIND_ASSESSMENT,
            total=lambda viewer, area: overdue_items(viewer, area).count(),
            by_child=lambda viewer, area, length: group_by_child(
                overdue_items(viewer, area), "org__area__path", area, length
            ),
            url=lambda area: reverse("assessment:rectifications") + "?state=overdue",
            alert=True,
            order=70,
        )
    )

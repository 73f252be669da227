"""The appeals app's figures on the dashboard: open and overdue cases."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.appeals.selectors import appeal_list
from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.dashboard.selectors import group_by_child

OVERDUE = Q(response_overdue=True) | Q(resolution_overdue=True)


def _open(viewer, area):
    return appeal_list(viewer=viewer, area=area, state="open")


def register() -> None:
    register_indicator(
        Indicator(
            key="appeals_open",
            label=_("未办结诉求"),
            kind="appeal",
            total=lambda viewer, area: _open(viewer, area).count(),
            by_child=lambda viewer, area, length: group_by_child(
                _open(viewer, area), "area__path", area, length
            ),
            url=lambda area: reverse("appeals:list") + f"?area={area.pk}&state=open",
            order=50,
        )
    )
    register_indicator(
        Indicator(
            key="appeals_overdue",
            label=_("超时诉求"),
            kind="appeal",
            total=lambda viewer, area: _open(viewer, area).filter(OVERDUE).count(),
            by_child=lambda viewer, area, length: group_by_child(
                _open(viewer, area).filter(OVERDUE), "area__path", area, length
            ),
            url=lambda area: reverse("appeals:list") + f"?area={area.pk}&state=open&overdue=1",
            alert=True,
            order=51,
        )
    )

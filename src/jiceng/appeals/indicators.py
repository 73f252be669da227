"""The appeals app's figures on the dashboard: open and overdue cases."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.appeals.figures import appeal_open_by_child
from jiceng.dashboard.registry import Indicator, child_code_length, register_indicator


def _by_child(counter: str):
    """Both indicators come from one read per page (appeal_open_by_child: the open
    counters where the viewer sees the area whole, one grouped count otherwise)."""

    def by_child(viewer, area, length) -> dict[str, int]:
        counts = appeal_open_by_child(viewer=viewer, area=area, length=length)
        return {code: row[counter] for code, row in counts.items() if row[counter]}

    def total(viewer, area) -> int:
        return sum(by_child(viewer, area, child_code_length(area)).values())

    return total, by_child


def register() -> None:
    total, by_child = _by_child("open")
    register_indicator(
        Indicator(
            key="appeals_open",
            label=_("未办结诉求"),
            kind="appeal",
            total=total,
            by_child=by_child,
            url=lambda area: reverse("appeals:list") + f"?area={area.pk}&state=open",
            order=50,
        )
    )
    total, by_child = _by_child("overdue")
    register_indicator(
        Indicator(
            key="appeals_overdue",
            label=_("超时诉求"),
            kind="appeal",
            total=total,
            by_child=by_child,
            url=lambda area: reverse("appeals:list") + f"?area={area.pk}&state=open&overdue=1",
            alert=True,
            order=51,
        )
    )

"""The members app's figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.members.selectors import member_count, member_count_by_child


def register() -> None:
    register_indicator(
        Indicator(
            key="members",
            label=_("党员"),
            kind="member",
            total=lambda viewer, area: member_count(viewer=viewer, area=area),
            by_child=lambda viewer, area, length: member_count_by_child(
                viewer=viewer, area=area, length=length
            ),
            url=lambda area: reverse("members:list") + f"?area={area.pk}",
            order=40,
        )
    )
    register_indicator(
        Indicator(
            key="members_mobile",
            label=_("流动党员"),
            kind="member",
            total=lambda viewer, area: member_count(viewer=viewer, area=area, category="mobile"),
            url=lambda area: reverse("members:mobile"),
            order=41,
        )
    )

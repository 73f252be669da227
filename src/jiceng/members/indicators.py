"""The members app's figures on the dashboard."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.dashboard.selectors import group_by_child
from jiceng.members.selectors import member_list


def register() -> None:
    register_indicator(
        Indicator(
            key="members",
            label=_("党员"),
            kind="member",
            total=lambda viewer, area: member_list(viewer=viewer, area=area).count(),
            by_child=lambda viewer, area, length: group_by_child(
                member_list(viewer=viewer, area=area), "org__area__path", area, length
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
            total=lambda viewer, area: (
                member_list(viewer=viewer, area=area).filter(Q(category="mobile")).count()
            ),
            url=lambda area: reverse("members:mobile"),
            order=41,
        )
    )

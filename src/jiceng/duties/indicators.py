"""The duties app's figures on the dashboard: applications waiting for the district's
review, and requests past their deadline without an answer. Outcomes of the review and
of the answers, never anyone's activity."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import KIND_DUTY
from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.duties import selectors


def _overdue(viewer, area) -> int:
    rows = selectors.power_request_list(viewer=viewer, overdue=True)
    return rows.filter(street__path__startswith=area.path).count()


def register() -> None:
    register_indicator(
        Indicator(
            key="duties_pending_review",
            label=_("待审核的下沉事项"),
            kind=KIND_DUTY,
            total=lambda viewer, area: selectors.duties_pending_review(
                viewer=viewer, area=area
            ).count(),
            url=lambda area: reverse("duties:index") + "?state=submitted",
            alert=True,
            order=80,
        )
    )
    register_indicator(
        Indicator(
            key="duties_requests_overdue",
            label=_("超期未答复的街道权力事项"),
            kind=KIND_DUTY,
            total=_overdue,
            url=lambda area: reverse("duties:requests") + "?overdue=1",
            alert=True,
            order=81,
        )
    )

"""Organizational life on the dashboard: orgs behind on their required meetings, topics
awaiting disclosure, contact-point problems still open. Outcomes, never app activity:
nothing here counts visits or logins."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.rollups import memoized
from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.dashboard.selectors import group_by_child
from jiceng.orglife import selectors
from jiceng.orglife.models import ContactProblem


def _counts(viewer, area) -> selectors.ComplianceCounts:
    # The total and the children come from one count (once per page: core.rollups).
    today = timezone.localdate()
    return memoized(
        ("orglife", viewer.pk, area.path, today),
        lambda: selectors.compliance_counts(viewer=viewer, area=area, year=today.year),
    )


def orgs_behind(viewer, area) -> int:
    """Orgs under `area` that missed a required meeting in a period already over this
    year (from the yearly rollup rows)."""
    return _counts(viewer, area).behind


def orgs_behind_by_child(viewer, area, length) -> dict[str, int]:
    counts = _counts(viewer, area)
    return {code: behind for code, (_orgs, behind) in counts.children.items()}


def register() -> None:
    register_indicator(
        Indicator(
            key="orglife_orgs_behind",
            label=_("三会一课未达标组织"),
            kind="orglife",
            total=orgs_behind,
            by_child=orgs_behind_by_child,
            url=lambda area: reverse("orglife:compliance") + f"?area={area.pk}",
            alert=True,
            order=60,
        )
    )
    register_indicator(
        Indicator(
            key="orglife_topics_awaiting_disclosure",
            label=_("待公开议题"),
            kind="orglife",
            total=lambda viewer, area: selectors.topics_awaiting_disclosure(
                viewer=viewer, area=area
            ).count(),
            by_child=lambda viewer, area, length: group_by_child(
                selectors.topics_awaiting_disclosure(viewer=viewer, area=area),
                "community__path",
                area,
                length,
            ),
            url=lambda area: reverse("orglife:topics") + f"?area={area.pk}",
            alert=True,
            order=61,
        )
    )
    register_indicator(
        Indicator(
            key="orglife_open_problems",
            label=_("联系点未解决问题"),
            kind="orglife",
            total=lambda viewer, area: selectors.problem_list(
                viewer=viewer, area=area, status=ContactProblem.Status.OPEN
            ).count(),
            url=lambda area: reverse("orglife:contact_points") + f"?area={area.pk}",
            alert=True,
            order=62,
        )
    )

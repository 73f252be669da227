"""Supervision on the dashboard: weak-org candidates awaiting the district's decision and
orgs confirmed weak and not yet cleared. Outcomes of the rules, never app activity."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.dashboard.registry import Indicator, register_indicator
from jiceng.dashboard.selectors import group_by_child
from jiceng.supervision import selectors
from jiceng.supervision.models import WeakOrgCase

S = WeakOrgCase.State
CONFIRMED_OPEN = (S.CONFIRMED, S.RECTIFYING)


def _cases(viewer, area, states):
    return selectors.weak_org_list(viewer=viewer, area=area).filter(state__in=states)


def register() -> None:
    for key, label, states, order in (
        ("supervision_weak_candidates", _("软弱涣散待研判"), (S.CANDIDATE,), 70),
        ("supervision_weak_confirmed", _("软弱涣散整顿中"), CONFIRMED_OPEN, 71),
    ):
        register_indicator(
            Indicator(
                key=key,
                label=label,
                kind="supervision",
                total=lambda viewer, area, states=states: _cases(viewer, area, states).count(),
                by_child=lambda viewer, area, length, states=states: group_by_child(
                    _cases(viewer, area, states), "org__area__path", area, length
                ),
                url=lambda area: (
                    reverse("supervision:weak_orgs")
                    + f"?area={area.pk}&year={timezone.localdate().year}"
                ),
                alert=True,
                order=order,
            )
        )

"""The orgs app's to-dos on the workbench (dashboard.workbench): units in the viewer's
territory that must form their own party org, and newly registered units not yet
covered (增加一个，组建一个), as the coverage pages count them (orgs.selectors)."""

import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import KIND_UNIT, Scope
from jiceng.dashboard.workbench import OPEN, Todo, TodoSource, register_source, urgency_of
from jiceng.orgs.selectors import coverage_q, unit_list


def _managed_q(scope: Scope) -> Q:
    if scope.everything:
        return Q()
    condition = Q(pk__in=[])
    for path in scope.managed_area_paths():
        condition |= Q(area__path__startswith=path)
    return condition


def coverage_todo(*, viewer, scope: Scope, now: datetime.datetime) -> dict:
    """Units the viewer is to organize: must form their own org; new and uncovered,
    with the earliest registration among them. One query."""
    new = coverage_q("new_uncovered", now=now)
    return (
        unit_list(viewer=viewer)
        .filter(_managed_q(scope))
        .order_by()
        .aggregate(
            must_form=Count("id", filter=coverage_q("must_form")),
            new_uncovered=Count("id", filter=new),
            first_new=Min("registered_at", filter=new),
        )
    )


def _coverage_items(viewer, scope: Scope, now) -> list[Todo]:
    if not scope.manages_territory:
        return []
    row = coverage_todo(viewer=viewer, scope=scope, now=now)
    url = reverse("orgs:unit_list")
    items = []
    if row["new_uncovered"]:
        # A new unit is to be covered within the window in which it counts as new.
        due = row["first_new"] + datetime.timedelta(days=settings.NEW_UNIT_DAYS)
        items.append(
            Todo(
                source="orgs_coverage",
                title=gettext("新登记、尚未覆盖的驻区单位"),
                action=gettext("组建党组织或纳入联合党组织"),
                url=f"{url}?coverage=new_uncovered",
                urgency=urgency_of(due, now),
                due=due,
                count=row["new_uncovered"],
                is_group=True,
            )
        )
    if row["must_form"]:
        items.append(
            Todo(
                source="orgs_coverage",
                title=gettext("应单独组建党组织的单位"),
                action=gettext("正式党员3人以上，单独组建党组织"),
                url=f"{url}?coverage=must_form",
                urgency=OPEN,
                count=row["must_form"],
                is_group=True,
            )
        )
    return items


def register() -> None:
    register_source(
        TodoSource(
            key="orgs_coverage",
            label=_("两个覆盖"),
            kind=KIND_UNIT,
            items=_coverage_items,
            order=50,
        )
    )

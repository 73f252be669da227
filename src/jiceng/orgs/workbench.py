"""The orgs app's to-dos on the workbench (dashboard.workbench): units in the viewer's
territory that must form their own party org, and newly registered units not yet
covered (增加一个，组建一个), as the coverage pages count them (orgs.selectors)."""

import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.core import rollups
from jiceng.core.models import Area
from jiceng.core.scope import KIND_UNIT, Scope
from jiceng.dashboard.workbench import OPEN, Todo, TodoSource, register_source, urgency_of
from jiceng.orgs import rollup
from jiceng.orgs.models import Unit
from jiceng.orgs.selectors import coverage_q, rollup_serves, unit_list


def _managed_q(scope: Scope) -> Q:
    if scope.everything:
        return Q()
    condition = Q(pk__in=[])
    for path in scope.managed_area_paths():
        condition |= Q(area__path__startswith=path)
    return condition


def _managed_areas(scope: Scope) -> list[Area] | None:
    """The areas the viewer manages, none inside another; None for the whole territory."""
    if scope.everything:
        return None
    paths = sorted(set(scope.managed_area_paths()))
    outer = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    key = ("orgs_managed_areas", tuple(outer))
    return rollups.memoized(key, lambda: list(Area.objects.filter(path__in=outer)))


def coverage_todo(*, viewer, scope: Scope, now: datetime.datetime) -> dict:
    """Units the viewer is to organize: must form their own org (from the coverage
    rollup where it serves the managed areas whole, as the pages read it); new and
    uncovered, with the earliest registration among them (a few rows found through the
    registration time's index: the window moves with the clock)."""
    units = unit_list(viewer=viewer).filter(_managed_q(scope)).order_by()
    row = units.filter(coverage_q("new_uncovered", now=now)).aggregate(
        new_uncovered=Count("id"), first_new=Min("registered_at")
    )
    areas = _managed_areas(scope)
    if areas and all(rollup_serves(viewer, Unit, area) for area in areas):
        row["must_form"] = sum(rollup.totals_under(area)["must_form"] for area in areas)
    else:
        row["must_form"] = units.filter(coverage_q("must_form")).count()
    return row


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

"""The co-building app's outcomes, for the projects meeting needs of communities under
an area (an org answers for its area's):

- Projects completed (完成共建项目数): projects completed in the period.
- Projects rated well (共建项目好评率): of the projects evaluated in the period, the
  share scored 4 or 5 (of 5)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.cobuild.models import Need, Project
from jiceng.core.models import Area
from jiceng.core.outcomes import COUNT, RATE, Figure, Outcome, Period, register_outcome

WELL_RATED = 4


def _projects(area: Area):
    return Project.objects.filter(need__community__path__startswith=area.path)


def projects_completed(area: Area, period: Period) -> Figure:
    n = (
        _projects(area)
        .filter(completed_at__date__gte=period.start, completed_at__date__lt=period.end)
        .count()
    )
    return Figure.count(n, reverse("cobuild:overview") + f"?area={area.pk}")


def projects_rated_well(area: Area, period: Period) -> Figure:
    totals = (
        _projects(area)
        .filter(evaluated_at__date__gte=period.start, evaluated_at__date__lt=period.end)
        .aggregate(total=Count("id"), well=Count("id", filter=Q(score__gte=WELL_RATED)))
    )
    return Figure.rate(
        totals["well"], totals["total"], reverse("cobuild:overview") + f"?area={area.pk}"
    )


def register() -> None:
    sources = (Project._meta.db_table, Need._meta.db_table, "core_area")
    register_outcome(
        Outcome(
            key="cobuild.projects_completed",
            label=_("完成共建项目数"),
            app="cobuild",
            unit=COUNT,
            sources=sources,
            for_area=projects_completed,
            description=_("期内完成的区域化党建共建项目数"),
            order=50,
        )
    )
    register_outcome(
        Outcome(
            key="cobuild.projects_rated_well",
            label=_("共建项目好评率"),
            app="cobuild",
            unit=RATE,
            sources=sources,
            for_area=projects_rated_well,
            description=_("期内评价的共建项目中评分 4 分及以上的比例"),
            order=51,
        )
    )

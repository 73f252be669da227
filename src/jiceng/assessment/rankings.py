"""The assessment app's yearly ranking in the rankings registry (core.rankings): the
published ranking of the year's scheme covering an area. Before the district publishes,
the ranking does not exist for anyone reading through the registry — scores still
moving are no ground for a conclusion about an org."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.assessment.models import Assessment, Scheme
from jiceng.assessment.selectors import path_prefixes
from jiceng.core.models import Area
from jiceng.core.rankings import Entry, register_ranking

NAME = "assessment.yearly"


def published_ranking(area: Area, year: int) -> list[Entry]:
    """The ranked orgs under `area` in the published ranking of `year`'s scheme of the
    district `area` is in (or is), best first within each group."""
    scheme = (
        Scheme.objects.exclude(state=Scheme.State.SUPERSEDED)
        .filter(year=year, published_at__isnull=False, district__path__in=path_prefixes(area.path))
        .first()
    )
    if scheme is None:
        return []
    ranked = Assessment.objects.filter(scheme=scheme, rank__isnull=False)
    totals = dict(ranked.values("group").annotate(n=Count("id")).values_list("group", "n"))
    page = reverse("assessment:ranking", args=[scheme.pk])
    rows = (
        ranked.filter(org__area__path__startswith=area.path)
        .select_related("org__area")
        .order_by("group", "rank", "org__path")
    )
    return [
        Entry(
            org=row.org_id,
            area=row.org.area_id,
            parent=row.org.area.parent_id,
            group=row.group,
            rank=row.rank,
            score=row.score,
            total=totals[row.group],
            url=f"{page}?group={row.group}",
        )
        for row in rows
    ]


def register() -> None:
    register_ranking(NAME, _("年度考核排名"), published_ranking)

"""The orgs app's outcomes: how far party organizations reach the units in an area.

- Unit org coverage (组织覆盖率): of the open units located under the area, the share
  with an org of their own or covered by a joint org.
- Orgs formed where due (应建尽建率): of the open units with at least
  OWN_ORG_MIN_MEMBERS formal members, the share that have an org of their own.

An org answers for its area's units (core.outcomes falls back to the area)."""

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area
from jiceng.core.outcomes import RATE, Figure, Outcome, Period, register_outcome
from jiceng.orgs.models import Unit


def _units(area: Area, period: Period):
    # Units registered before the period ended and not closed before it began.
    return Unit.objects.filter(
        area__path__startswith=area.path, registered_at__date__lt=period.end
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.end))


def unit_coverage(area: Area, period: Period) -> Figure:
    totals = _units(area, period).aggregate(
        total=Count("id"),
        covered=Count("id", filter=Q(own_org__isnull=False) | Q(covering_org__isnull=False)),
    )
    url = reverse("orgs:unit_list") + f"?area={area.pk}&coverage=uncovered"
    return Figure.rate(totals["covered"], totals["total"], url)


def own_org_formed(area: Area, period: Period) -> Figure:
    totals = (
        _units(area, period)
        .filter(formal_members__gte=settings.OWN_ORG_MIN_MEMBERS)
        .aggregate(total=Count("id"), formed=Count("id", filter=Q(own_org__isnull=False)))
    )
    url = reverse("orgs:unit_list") + f"?area={area.pk}&coverage=must_form"
    return Figure.rate(totals["formed"], totals["total"], url)


def register() -> None:
    register_outcome(
        Outcome(
            key="orgs.unit_coverage",
            label=_("单位党组织覆盖率"),
            app="orgs",
            unit=RATE,
            sources=(Unit._meta.db_table, "core_area"),
            for_area=unit_coverage,
            description=_("区域内在册单位中，单独建立或被联合党组织覆盖的比例"),
            order=30,
        )
    )
    register_outcome(
        Outcome(
            key="orgs.own_org_formed",
            label=_("应建尽建率"),
            app="orgs",
            unit=RATE,
            sources=(Unit._meta.db_table, "core_area"),
            for_area=own_org_formed,
            description=_("正式党员三人以上的单位中，已单独建立党组织的比例"),
            order=31,
        )
    )

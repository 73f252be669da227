"""The appeals app's outcomes: the three rates and the on-time rate of the cases
received in a period under an area, from the monthly counters (appeals.rollup), so a
district-year reads a few thousand rows. Formulas: docs/appeals-rates.md."""

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.appeals import rollup
from jiceng.appeals.figures import RATES, ROLLUP_LEVELS
from jiceng.appeals.models import Appeal, AppealMonthStat
from jiceng.core.models import Area
from jiceng.core.outcomes import RATE, Figure, Outcome, Period, register_outcome

LABELS = {
    "response": _("响应率"),
    "resolution": _("解决率"),
    "satisfaction": _("满意率"),
    "on_time": _("按时办结率"),
}
DESCRIPTIONS = {
    "response": _("期内受理的诉求中按时响应的比例"),
    "resolution": _("期内受理并已评价的诉求中评价为已解决的比例"),
    "satisfaction": _("期内受理并已评价的诉求中评价为满意或基本满意的比例"),
    "on_time": _("期内受理、已答复或已超时的诉求中按时答复的比例"),
}


def counters(area: Area, period: Period) -> dict[str, int]:
    """The period's counters under `area`: from the monthly rows down to communities,
    counted from the cases for a grid or a building."""
    if area.level in ROLLUP_LEVELS:
        rows = AppealMonthStat.objects.filter(month__gte=period.start, month__lt=period.end)
        if area.level == Area.Level.COMMUNITY:
            rows = rows.filter(community=area)
        elif area.level == Area.Level.STREET:
            rows = rows.filter(street=area)
        else:
            rows = rows.filter(street__path__startswith=area.path)
        totals = rows.aggregate(**{name: Sum(name) for name in rollup.COUNTERS})
    else:
        cases = Appeal.objects.filter(
            area__path__startswith=area.path,
            received_at__date__gte=period.start,
            received_at__date__lt=period.end,
            routing_pending=False,
        )
        totals = cases.aggregate(
            **{name: Count("id", filter=cond) for name, cond in rollup.CONDITIONS.items()}
        )
    return {name: totals.get(name) or 0 for name in rollup.COUNTERS}


def _measure(rate: str):
    numerator, denominator = RATES[rate]

    def for_area(area: Area, period: Period) -> Figure:
        row = counters(area, period)
        url = ""
        if len(period.months()) == 1:
            url = (
                reverse("appeals:rate_cases")
                + f"?area={area.pk}&month={period.start:%Y-%m}&rate={rate}&part=denominator"
            )
        return Figure.rate(row[numerator], row[denominator], url)

    return for_area


def register() -> None:
    for order, rate in enumerate(("response", "resolution", "satisfaction", "on_time")):
        register_outcome(
            Outcome(
                key=f"appeals.{rate}_rate",
                label=LABELS[rate],
                app="appeals",
                unit=RATE,
                sources=(AppealMonthStat._meta.db_table, Appeal._meta.db_table),
                for_area=_measure(rate),
                description=DESCRIPTIONS[rate],
                order=10 + order,
            )
        )

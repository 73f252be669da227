"""The appeals app's charts on the dashboard: the year by month with the three rates,
categories by volume, open and overdue cases by child."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.appeals.figures import (
    RATES,
    appeal_category_counts,
    appeal_months,
    appeal_open_by_child,
    last_months,
)
from jiceng.core.selectors import area_children
from jiceng.dashboard.charts import (
    Chart,
    chart,
    charts_url,
    has_children,
    percent,
    register_chart,
    series,
)
from jiceng.dashboard.registry import child_code_length

MONTHS = 12
# The three rates (三率) drawn as lines over the months' cases.
THREE_RATES = (
    ("response", gettext_lazy("响应率")),
    ("resolution", gettext_lazy("解决率")),
    ("satisfaction", gettext_lazy("满意率")),
)


def months_chart(viewer, area):
    rows = appeal_months(viewer=viewer, area=area, months=last_months(MONTHS))
    labels = [f"{row['month']:%Y-%m}" for row in rows]
    lines = []
    for name, label in THREE_RATES:
        numerator, denominator = RATES[name]
        values = [percent(row[numerator], row[denominator]) for row in rows]
        lines.append(series(label, values, type="line", unit="%"))
    links = [reverse("appeals:rates") + f"?area={area.pk}&month={label}" for label in labels]
    return chart(
        labels,
        [series(_("受理件数"), [row["received"] for row in rows]), *lines],
        links=links,
        axis=_("月份"),
        ordered=True,
        note=_("按受理月份统计；比率的分母为零时不显示。点击月份查看当月三率与排名。"),
    )


def categories_chart(viewer, area):
    since = last_months(MONTHS)[0]
    rows = appeal_category_counts(viewer=viewer, area=area, since=since)
    base = reverse("appeals:list") + f"?area={area.pk}&category="
    return chart(
        [row["name"] for row in rows],
        [series(_("受理件数"), [row["count"] for row in rows])],
        links=[base + row["code"] for row in rows],
        axis=_("类别"),
        note=_("按件数从多到少。点击类别查看该类诉求。"),
    )


def open_by_child_chart(viewer, area):
    children = list(area_children(viewer=viewer, area=area))
    counts = (
        appeal_open_by_child(viewer=viewer, area=area, length=child_code_length(area))
        if children
        else {}
    )
    empty = {"open": 0, "overdue": 0}
    rows = [counts.get(child.code, empty) for child in children]
    return chart(
        [child.name for child in children],
        [
            series(_("未办结"), [row["open"] for row in rows]),
            series(_("其中超时"), [row["overdue"] for row in rows]),
        ],
        links=[charts_url(child) for child in children],
        axis=_("区域"),
        note=_("点击区域查看其图表。"),
    )


def register() -> None:
    register_chart(
        Chart(
            "appeals_months",
            gettext_lazy("近12个月受理件数与三率"),
            "appeal",
            months_chart,
            order=10,
        )
    )
    register_chart(
        Chart(
            "appeals_categories",
            gettext_lazy("近12个月诉求类别"),
            "appeal",
            categories_chart,
            order=11,
        )
    )
    register_chart(
        Chart(
            "appeals_open_by_child",
            gettext_lazy("未办结与超时诉求（按下级区域）"),
            "appeal",
            open_by_child_chart,
            applies=has_children,
            order=12,
        )
    )

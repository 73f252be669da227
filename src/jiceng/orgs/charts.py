"""The orgs app's chart on the dashboard: how far party organizations cover the units
(两个覆盖), for each child of a node."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.dashboard.charts import Chart, chart, charts_url, percent, register_chart, series
from jiceng.orgs.selectors import coverage_by_child, coverage_summary


def coverage_chart(viewer, area):
    rows = coverage_by_child(viewer=viewer, area=area)
    if rows:
        names = [row["area"].name for row in rows]
        links = [charts_url(row["area"]) for row in rows]
        note = _("点击区域查看其图表。")
    else:  # a grid or building: the node itself
        summary = coverage_summary(viewer=viewer, area=area)
        rows = [
            {
                "total": summary.total,
                "own": summary.own,
                "joint": summary.joint,
                "uncovered": summary.uncovered,
            }
        ]
        names = [area.name]
        links = [reverse("orgs:unit_list") + f"?area={area.pk}"]
        note = _("点击查看驻区单位。")
    return chart(
        names,
        [
            series(_("单独建立党组织"), [r["own"] for r in rows], stack="units"),
            series(_("联合党组织覆盖"), [r["joint"] for r in rows], stack="units"),
            series(_("未覆盖"), [r["uncovered"] for r in rows], stack="units"),
            series(
                _("覆盖率"),
                [percent(r["own"] + r["joint"], r["total"]) for r in rows],
                type="line",
                unit="%",
            ),
        ],
        links=links,
        axis=_("区域"),
        note=note,
    )


def register() -> None:
    register_chart(
        Chart("orgs_coverage", gettext_lazy("党组织覆盖进度"), "unit", coverage_chart, order=30)
    )

"""The members app's charts on the dashboard: age bands, education, categories and the
share of probationary members, from the standard composition tables."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core import rollups
from jiceng.dashboard.charts import Chart, chart, register_chart, series
from jiceng.members.selectors import member_compositions

# name of the composition table, chart title, chart type, the register's filter that
# lists the members of one row (None: the statistics page, which has no such filter).
FIGURES = (
    ("age", gettext_lazy("党员年龄结构"), "bar", None),
    ("education", gettext_lazy("党员学历结构"), "bar", None),
    ("category", gettext_lazy("党员类别"), "pie", "category"),
    ("status", gettext_lazy("正式党员与预备党员"), "pie", "status"),
)


def _tables(viewer, area) -> dict[str, dict]:
    """The four charts' tables, read together once per page (core.rollups.reading)."""
    names = tuple(name for name, _title, _kind, _filter in FIGURES)
    key = ("member_chart_tables", viewer.pk, area.pk)
    return rollups.memoized(key, lambda: member_compositions(viewer=viewer, area=area, names=names))


def _builder(name: str, kind: str, list_filter: str | None):
    def build(viewer, area):
        table = _tables(viewer, area)[name]
        rows = table["rows"]
        if list_filter:
            base = reverse("members:list") + f"?area={area.pk}&{list_filter}="
            links = [base + row["key"] for row in rows]
            note = _("点击查看名册中的这些党员。")
        else:
            links = [reverse("members:statistics") + f"?area={area.pk}"] * len(rows)
            note = _("点击查看党内统计表。")
        return chart(
            [row["label"] for row in rows],
            [series(_("人数"), [row["count"] for row in rows])],
            links=links,
            type=kind,
            axis=table["title"],
            note=_("共 %(total)s 名党员。") % {"total": table["total"]} + note,
        )

    return build


def register() -> None:
    for order, (name, title, kind, list_filter) in enumerate(FIGURES, start=20):
        register_chart(
            Chart(
                f"members_{name}", title, "member", _builder(name, kind, list_filter), order=order
            )
        )

"""The table under each chart: the chart's own data as rows of text (dashboard.charts)."""

from dataclasses import dataclass

from django import template

register = template.Library()


@dataclass
class TableRow:
    label: str
    link: str | None
    cells: list[str]


def cell(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


@register.filter
def chart_rows(chart: dict) -> list[TableRow]:
    series = chart["series"]
    return [
        TableRow(
            label=label,
            link=chart["links"][index],
            cells=[cell(s["values"][index], s["unit"]) for s in series],
        )
        for index, label in enumerate(chart["categories"])
    ]

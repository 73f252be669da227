"""An assessed org's figures for its scheme's items, from the registered outcomes
(core.outcomes): each with its value, parts, points and the link to the records behind
it. Read by scoring (services.assessments) and by report drafting."""

from dataclasses import asdict, dataclass

from jiceng.assessment import scoring
from jiceng.assessment.models import Assessment, SchemeItem
from jiceng.core.outcomes import Figure, Period, format_figure, outcome


@dataclass(frozen=True)
class Line:
    item: int
    key: str
    label: str
    weight: int
    value: float | None
    numerator: int | None
    denominator: int | None
    shown: str
    share: float
    points: str
    url: str

    def as_dict(self) -> dict:
        return asdict(self)


def line_for(item: SchemeItem, org, year: int) -> Line:
    try:
        o = outcome(item.outcome_key)
    except LookupError:
        # An outcome no longer registered scores nothing and says so.
        return Line(
            item.pk,
            item.outcome_key,
            item.label,
            item.weight,
            None,
            None,
            None,
            "—",
            0.0,
            "0.00",
            "",
        )
    figure: Figure = o.measure(org, Period.year(year))
    fraction = scoring.item_share(item, figure.value, higher=o.higher_is_better)
    return Line(
        item=item.pk,
        key=item.outcome_key,
        label=item.label,
        weight=item.weight,
        value=figure.value,
        numerator=figure.numerator,
        denominator=figure.denominator,
        shown=format_figure(o, figure),
        share=round(fraction, 4),
        points=str(scoring.points(item.weight, fraction)),
        url=figure.url,
    )


def lines_for(assessment: Assessment, items: list[SchemeItem]) -> list[Line]:
    return [line_for(item, assessment.org, assessment.year) for item in items]

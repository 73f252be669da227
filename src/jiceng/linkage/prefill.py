"""A task's report form, pre-filled from what the system already holds: each outcome
field computed by the outcome registry (core.outcomes) for the recipient's area or org
and the task's period. The report page shows these figures and the submit service
computes them again (the stored `computed` is the server's figure, never the form's).

Values are typed and shown in the outcome's display unit: a rate in percent with one
decimal, a count as a whole number, an amount with two decimals."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jiceng.core.outcomes import AMOUNT, COUNT, RATE, Figure, Outcome, Period, outcome
from jiceng.linkage.models import Dispatch, Recipient, ReportField

PLACES = {RATE: Decimal("0.1"), COUNT: Decimal("1"), AMOUNT: Decimal("0.01")}
UNIT_SUFFIX = {RATE: "%", COUNT: "", AMOUNT: ""}


@dataclass(frozen=True)
class Prefilled:
    field: ReportField
    outcome: Outcome
    figure: Figure
    # The figure in display units ("81.3" for 81.3 %), or "" when there is none.
    display: str


def display_number(o: Outcome, value: float | Decimal | None) -> str:
    if value is None:
        return ""
    number = Decimal(str(value)) * (100 if o.unit == RATE else 1)
    return str(number.quantize(PLACES[o.unit], rounding=ROUND_HALF_UP))


def period_of(dispatch: Dispatch) -> Period:
    return Period.parse(dispatch.period)


def prefill_field(field: ReportField, recipient: Recipient, period: Period) -> Prefilled:
    o = outcome(field.outcome_key)
    figure = o.measure(recipient.subject, period)
    return Prefilled(field=field, outcome=o, figure=figure, display=display_number(o, figure.value))


def prefill(recipient: Recipient, fields: list[ReportField]) -> dict[int, Prefilled]:
    """Field id → the computed figure, for each outcome field of the task."""
    period = period_of(recipient.dispatch)
    return {
        f.pk: prefill_field(f, recipient, period)
        for f in fields
        if f.kind == ReportField.Kind.OUTCOME
    }

"""The figures of a bulletin (通报): per recipient, the answers of its accepted report
that are figures (outcomes, numbers, yes/no, choices), and the totals. Outcomes only:
this module reads reports and their values, never receipts (when anyone opened or
acknowledged anything) nor any activity on the platform; tests guard both."""

from decimal import Decimal, InvalidOperation

from jiceng.core.outcomes import RATE, outcome
from jiceng.linkage.models import Dispatch, Recipient, Report, ReportField, ReportValue
from jiceng.linkage.prefill import display_number

FIGURE_KINDS = (
    ReportField.Kind.OUTCOME,
    ReportField.Kind.NUMBER,
    ReportField.Kind.YES_NO,
    ReportField.Kind.CHOICE,
)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text not in ("", None) else None
    except InvalidOperation:
        return None


def build_figures(dispatch: Dispatch) -> dict:
    """{"period", "columns": [...], "rows": [{"name", "accepted", "values"}], "totals"}."""
    fields = [f for f in dispatch.fields.all() if f.kind in FIGURE_KINDS]
    recipients = list(
        Recipient.objects.filter(dispatch=dispatch).order_by("name", "id").values("id", "name")
    )
    accepted = dict(
        Report.objects.filter(
            recipient__dispatch=dispatch, state=Report.State.ACCEPTED
        ).values_list("recipient_id", "id")
    )
    values: dict[tuple[int, int], ReportValue] = {
        (v.report_id, v.field_id): v
        for v in ReportValue.objects.filter(report_id__in=list(accepted.values()))
    }
    columns = []
    for f in fields:
        unit = outcome(f.outcome_key).unit if f.kind == ReportField.Kind.OUTCOME else ""
        columns.append({"field": f.pk, "label": f.label, "kind": f.kind, "unit": unit})
    rows = []
    for r in recipients:
        report_id = accepted.get(r["id"])
        shown = []
        for f in fields:
            v = values.get((report_id, f.pk)) if report_id else None
            shown.append(v.value if v is not None else "")
        rows.append({"name": r["name"], "accepted": report_id is not None, "values": shown})
    totals = []
    for i, f in enumerate(fields):
        answers = [row["values"][i] for row in rows if row["accepted"] and row["values"][i] != ""]
        totals.append(
            _total(
                f,
                answers,
                [values.get((accepted[r["id"]], f.pk)) for r in recipients if r["id"] in accepted],
            )
        )
    return {
        "period": dispatch.period,
        "recipients": len(rows),
        "accepted": len(accepted),
        "columns": columns,
        "rows": rows,
        "totals": totals,
    }


def _total(f: ReportField, answers: list[str], stored: list[ReportValue | None]) -> str:
    if f.kind == ReportField.Kind.YES_NO:
        yes, no = answers.count("yes"), answers.count("no")
        return f"是 {yes} / 否 {no}"
    if f.kind == ReportField.Kind.CHOICE:
        return "；".join(f"{o} {answers.count(o)}" for o in f.options)
    if f.kind == ReportField.Kind.OUTCOME and outcome(f.outcome_key).unit == RATE:
        # A rate's total is pooled from the parts the system computed (not an average
        # of rates); corrected values have no parts and are left out of it.
        parts = [v for v in stored if v is not None and not v.corrected and v.computed_denominator]
        numerator = sum(v.computed_numerator or 0 for v in parts)
        denominator = sum(v.computed_denominator or 0 for v in parts)
        if not denominator:
            return ""
        return display_number(outcome(f.outcome_key), numerator / denominator)
    numbers = [n for n in (_number(a) for a in answers) if n is not None]
    return str(sum(numbers)) if numbers else ""

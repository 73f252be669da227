"""How a scheme scores: pure functions over figures, so a test can hand-compute them
(docs/user-guide/assessment.md states the same rules in Chinese).

- An item's share (0..1) of its weight: LINEAR — 0 at or beyond the floor, 1 at or
  beyond the target, linear between (a target below the floor means lower is better);
  THRESHOLDS — the highest share among the steps the value reaches (at or above the
  step's value, or at or below it for an outcome where lower is better). A figure with
  no value (nothing was due: a rate over zero cases) earns the full share: nothing
  that was due failed.
- The item part: Σ weight × share (the weights sum to 100).
- The review part: the mean of the reviewers' grade points (好 100, 较好 80, 一般 60,
  差 0); the review grade is the band the mean falls in (≥ 90 好, ≥ 75 较好, ≥ 60 一般,
  below 差).
- The total: item part × (100 − review weight) / 100 + review part × review weight / 100,
  rounded to two decimals.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from jiceng.assessment.models import GRADE_FLOORS, GRADE_POINTS, Grade, SchemeItem

CENT = Decimal("0.01")


def share(rule: str, value: float | None, *, floor=None, target=None, thresholds=(), higher=True):
    if value is None:
        return 1.0
    if rule == SchemeItem.Rule.LINEAR:
        if floor is None or target is None or floor == target:
            return 0.0
        return min(1.0, max(0.0, (value - floor) / (target - floor)))
    reached = [
        float(s) for v, s in thresholds if (value >= float(v) if higher else value <= float(v))
    ]
    return max(reached, default=0.0)


def item_share(item: SchemeItem, value: float | None, *, higher: bool = True) -> float:
    return share(
        item.rule,
        value,
        floor=item.floor,
        target=item.target,
        thresholds=item.thresholds or (),
        higher=higher,
    )


def points(weight: int, fraction: float) -> Decimal:
    return (Decimal(weight) * Decimal(str(fraction))).quantize(CENT, ROUND_HALF_UP)


def review_mean(grades: Iterable[str]) -> Decimal | None:
    values = [GRADE_POINTS[Grade(g)] for g in grades]
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(CENT, ROUND_HALF_UP)


def grade_for(mean: Decimal) -> str:
    for floor, grade in GRADE_FLOORS:
        if mean >= floor:
            return grade
    return Grade.POOR


def total(item_score: Decimal, review_score: Decimal, review_weight: int) -> Decimal:
    rw = Decimal(review_weight)
    result = item_score * (100 - rw) / 100 + review_score * rw / 100
    return result.quantize(CENT, ROUND_HALF_UP)

"""The case-mix-adjusted ranking of streets (docs/appeals-case-mix.md): pure arithmetic
over grouped counters, so a hand-computed example checks it exactly.

For each rate (response, resolution, satisfaction) and each case i of a street that
counts in the rate's denominator, p_i is the district's rate, over the history window,
for cases of the same category and channel (its "cell"); a cell with fewer than
`min_cell` history cases falls back to the category, then to the whole district. Then

    observed O = Σ y_i / n,  expected E = Σ p_i / n,  adjusted D = O − E,
    Var(D) = Σ p_i (1 − p_i) / n²,  95 % interval D ± 1.96 √Var(D).

A street is ranked by D (satisfaction, then resolution, then response), so cases that
are hard everywhere in the district lower its expectation instead of its place."""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

# rate → (numerator counter, denominator counter), as appeals.selectors.RATES
RATE_PARTS = {
    "response": ("responded_on_time", "received"),
    "resolution": ("resolved", "rated"),
    "satisfaction": ("satisfied", "rated"),
}
RANK_ORDER = ("satisfaction", "resolution", "response")
Z95 = 1.959964
MIN_CELL = 10


@dataclass
class Expectation:
    """The history's rates: per (category, channel), per category, and overall, as
    (numerator, denominator) per rate."""

    cells: dict[tuple, dict[str, list[int]]] = field(default_factory=dict)
    categories: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    overall: dict[str, list[int]] = field(default_factory=dict)
    min_cell: int = MIN_CELL

    def rate(self, rate: str, category: int, channel: str) -> float | None:
        for counts in (
            self.cells.get((category, channel)),
            self.categories.get(category),
            self.overall,
        ):
            if counts is None:
                continue
            numerator, denominator = counts.get(rate, (0, 0))
            if denominator >= self.min_cell or (counts is self.overall and denominator):
                return numerator / denominator
        return None


def expectation(history: Iterable[dict], *, min_cell: int = MIN_CELL) -> Expectation:
    """From rows {"category_id", "channel", counters…} of the district's history."""
    result = Expectation(min_cell=min_cell)
    for row in history:
        cell = result.cells.setdefault((row["category_id"], row["channel"]), {})
        category = result.categories.setdefault(row["category_id"], {})
        for rate, (num, den) in RATE_PARTS.items():
            for counts in (cell, category, result.overall):
                parts = counts.setdefault(rate, [0, 0])
                parts[0] += row[num]
                parts[1] += row[den]
    return result


@dataclass
class Adjusted:
    """One rate of one street: observed, expected, their difference and its interval;
    None throughout when the street has no case in the denominator."""

    n: int = 0
    observed: float | None = None
    expected: float | None = None
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    # Cases without any history to compare with (left out of E and of the interval).
    unmatched: int = 0

    @property
    def significant(self) -> int:
        """+1 above expectation, −1 below, 0 when the interval holds zero."""
        if self.low is not None and self.low > 0:
            return 1
        if self.high is not None and self.high < 0:
            return -1
        return 0


@dataclass
class StreetMix:
    street_id: int
    received: int = 0
    rates: dict[str, Adjusted] = field(default_factory=dict)


def adjust(rows: Iterable[dict], expected: Expectation) -> dict[int, StreetMix]:
    """Each street's adjusted rates, from its rows {"street_id", "category_id",
    "channel", counters…} of the period being ranked."""
    sums: dict[int, dict[str, list[float]]] = defaultdict(dict)
    received: dict[int, int] = defaultdict(int)
    for row in rows:
        street = row["street_id"]
        received[street] += row["received"]
        for rate, (num, den) in RATE_PARTS.items():
            # [n, Σy, Σp, Σp(1−p), unmatched] over cases with an expectation
            acc = sums[street].setdefault(rate, [0, 0, 0.0, 0.0, 0])
            p = expected.rate(rate, row["category_id"], row["channel"])
            if p is None:
                acc[4] += row[den]
                continue
            acc[0] += row[den]
            acc[1] += row[num]
            acc[2] += row[den] * p
            acc[3] += row[den] * p * (1 - p)
    result = {}
    for street, by_rate in sums.items():
        mix = StreetMix(street_id=street, received=received[street])
        for rate, (n, y, p, var, unmatched) in by_rate.items():
            item = Adjusted(n=int(n), unmatched=int(unmatched))
            if n:
                item.observed = y / n
                item.expected = p / n
                item.difference = item.observed - item.expected
                half = Z95 * math.sqrt(var) / n
                item.low, item.high = item.difference - half, item.difference + half
            mix.rates[rate] = item
        result[street] = mix
    return result


def observed_key(mix: StreetMix | None) -> tuple:
    """The raw ranking's order (appeals.selectors.ranking): rates high to low."""
    if mix is None:
        return tuple(0 for _ in RANK_ORDER)
    return tuple(-(mix.rates[r].observed or 0) for r in RANK_ORDER)


def adjusted_key(mix: StreetMix | None) -> tuple:
    """The fair order: observed-minus-expected high to low; no cases ranks as zero."""
    if mix is None:
        return tuple(0 for _ in RANK_ORDER)
    return tuple(-(mix.rates[r].difference or 0) for r in RANK_ORDER)

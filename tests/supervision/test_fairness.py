"""The case-mix-adjusted ranking on hand-computed examples (docs/appeals-case-mix.md)."""

import datetime
import math

import pytest

from jiceng.core.outcomes import Period
from jiceng.supervision import fairness, selectors
from tests.supervision.conftest import at, case, category

Z = fairness.Z95


def _row(street, cat, channel, rated, satisfied, received=None, responded=None, resolved=None):
    return {
        "street_id": street,
        "category_id": cat,
        "channel": channel,
        "received": received if received is not None else rated,
        "responded_on_time": responded if responded is not None else rated,
        "rated": rated,
        "resolved": resolved if resolved is not None else satisfied,
        "satisfied": satisfied,
    }


HISTORY = [
    _row(None, 1, "hotline", rated=10, satisfied=5),  # category 1: hard, p = 0.5
    _row(None, 2, "hotline", rated=10, satisfied=9),  # category 2: easy, p = 0.9
]
PERIOD = [
    _row(101, 1, "hotline", rated=4, satisfied=2),  # street 101: hard cases, 2 of 4
    _row(102, 2, "hotline", rated=4, satisfied=3),  # street 102: easy cases, 3 of 4
]


def test_hand_computed_example():
    mixes = fairness.adjust(PERIOD, fairness.expectation(HISTORY, min_cell=1))
    hard, easy = mixes[101].rates["satisfaction"], mixes[102].rates["satisfaction"]
    # Street 101: O = 2/4 = 0.5, E = 4 × 0.5 / 4 = 0.5, D = 0,
    # Var = 4 × 0.5 × 0.5 / 4² = 0.0625, half-width = 1.96 × 0.25.
    assert (hard.n, hard.observed, hard.expected) == (4, 0.5, 0.5)
    assert hard.difference == 0
    assert hard.low == pytest.approx(-Z * 0.25) and hard.high == pytest.approx(Z * 0.25)
    # Street 102: O = 0.75, E = 0.9, D = −0.15, Var = 4 × 0.9 × 0.1 / 16 = 0.0225.
    assert easy.observed == 0.75 and easy.expected == pytest.approx(0.9)
    assert easy.difference == pytest.approx(-0.15)
    assert easy.high - easy.difference == pytest.approx(Z * math.sqrt(0.0225))
    # Raw, the easy street leads; adjusted for its cases, the hard one does.
    assert fairness.observed_key(mixes[102]) < fairness.observed_key(mixes[101])
    assert fairness.adjusted_key(mixes[101]) < fairness.adjusted_key(mixes[102])
    assert hard.significant == 0 and easy.significant == 0


def test_sparse_cell_falls_back_to_category_then_district():
    history = [
        _row(None, 1, "grid", rated=3, satisfied=3),  # 3 < min_cell: not used alone
        _row(None, 1, "hotline", rated=7, satisfied=4),  # category 1: 7/10 = 0.7
        _row(None, 2, "hotline", rated=2, satisfied=0),  # category 2: 2 < min_cell
    ]
    expected = fairness.expectation(history, min_cell=10)
    assert expected.rate("satisfaction", 1, "grid") == pytest.approx(0.7)
    # Category 2 too sparse: the district's 7/12.
    assert expected.rate("satisfaction", 2, "hotline") == pytest.approx(7 / 12)
    # A category never seen: the district's rate as well.
    assert expected.rate("satisfaction", 9, "api") == pytest.approx(7 / 12)
    assert fairness.expectation([]).rate("satisfaction", 1, "grid") is None


def test_no_history_leaves_the_cases_unmatched():
    mixes = fairness.adjust(PERIOD, fairness.expectation([]))
    item = mixes[101].rates["satisfaction"]
    assert item.n == 0 and item.unmatched == 4 and item.difference is None


def test_the_ranking_from_the_cases(t, django_assert_max_num_queries):
    """The same example through the database: history in 2025, the period January 2026;
    hard cases (category A) in 湖南路街道, easy ones (category B) in 天平路街道."""
    hard, easy = category(index=0), category(index=1)
    for i in range(10):
        case(t, "xh_c1", received=at(6, 1 + i), cat=hard, satisfied=i < 5)
        case(t, "xh_c3", received=at(6, 1 + i), cat=easy, satisfied=i < 9)
    for i in range(4):
        case(t, "xh_c1", received=at(1, 5 + i, 2026), cat=hard, satisfied=i < 2)
        case(t, "xh_c3", received=at(1, 5 + i, 2026), cat=easy, satisfied=i < 3)
    # Out of the district: never in the expectation.
    case(t, "hp_c1", received=at(6, 1), cat=hard, satisfied=True)
    with django_assert_max_num_queries(6):
        ranking = selectors.fair_ranking(
            viewer=t.users["xh_admin"],
            parent=t.areas["xh"],
            period=Period.month(2026, 1),
            min_cell=1,
        )
    assert ranking.history.start == datetime.date(2025, 1, 1)
    rows = {row.area.pk: row for row in ranking.rows}
    s1, s2 = rows[t.areas["xh_s1"].pk], rows[t.areas["xh_s2"].pk]
    assert s1.mix.rates["satisfaction"].difference == pytest.approx(0)
    assert s2.mix.rates["satisfaction"].difference == pytest.approx(-0.15)
    assert (s1.raw_place, s2.raw_place) == (2, 1)
    assert (s1.fair_place, s2.fair_place) == (1, 2)


def test_a_street_sees_its_own_row_only(t):
    case(t, "xh_c1", received=at(1, 5, 2026))
    ranking = selectors.fair_ranking(
        viewer=t.users["xh_s1_staff"], parent=t.areas["xh_s1"], period=Period.year(2026)
    )
    assert [row.area.pk for row in ranking.rows] == [t.areas["xh_s1"].pk]

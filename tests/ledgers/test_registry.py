"""The ledger registry (core.ledgers): every app registers its own from ready(), at least
50 in all, each well formed and listed in the README; the ledgers app reads the registry
only (never another app's models); periods parse as the command and pages take them."""

import ast
import datetime
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core.errors import ValidationFailed
from jiceng.core.ledgers import all_ledgers, app_title, parse_period
from jiceng.core.roles import ALL_KINDS

ROOT = Path(__file__).resolve().parents[2]
APPS = {"members", "orgs", "appeals", "cobuild", "orglife", "duties", "linkage"}


def test_at_least_fifty_ledgers_each_well_formed():
    ledgers = all_ledgers()
    assert len(ledgers) >= 50
    assert len({x.key for x in ledgers}) == len(ledgers)
    for ledger in ledgers:
        assert re.fullmatch(r"[a-z][a-z0-9_]+", ledger.key), ledger.key
        assert ledger.app in APPS and app_title(ledger.app) != ledger.app
        # Registered by the app's own ledgers module, from its ready().
        assert ledger.rows.__module__.startswith(f"jiceng.{ledger.app}.ledgers"), ledger.key
        assert ledger.kind in ALL_KINDS
        assert ledger.columns and len({c.key for c in ledger.columns}) == len(ledger.columns)
        assert all(c.kind in ("text", "number", "date", "percent") for c in ledger.columns)
        assert set(ledger.personal) <= {c.key for c in ledger.columns}
        assert ledger.subjects and set(ledger.subjects) <= {"area", "org"}
        assert ledger.source.startswith(f"{ledger.app}.")
        assert re.search(r"[\u4e00-\u9fff]", str(ledger.title)), ledger.key


def test_every_app_registers_some():
    assert {x.app for x in all_ledgers()} == APPS


def test_readme_lists_every_ledger():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([a-z0-9_]+)` \| ([^|]+) \| [a-z]+ \|$", readme, re.M))
    registered = {x.key: str(x.title) for x in all_ledgers()}
    assert listed == registered


def test_the_ledgers_app_imports_no_other_app():
    """The ledger pages gather through the registry: core and their own modules only."""
    for path in (ROOT / "src" / "jiceng" / "ledgers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("jiceng")
            ):
                assert node.module.startswith(("jiceng.core", "jiceng.ledgers")), (
                    path,
                    node.module,
                )


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("2026", datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)),
        ("2026-03", datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)),
        ("2026-12", datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)),
        ("2026-Q1", datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)),
        ("2026-q4", datetime.date(2026, 10, 1), datetime.date(2027, 1, 1)),
        (" 2026-3 ", datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)),
    ],
)
def test_periods(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["26", "2026-13", "2026-Q5", "2026-00", "1800", "abc", "2026\x00"])
def test_bad_periods_name_the_field(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_period(text)
    assert caught.value.field == "period"


@given(st.integers(1921, 2200))
def test_a_years_months_and_quarters_tile_it(year):
    whole = parse_period(str(year))
    months = [parse_period(f"{year}-{m:02d}") for m in range(1, 13)]
    quarters = [parse_period(f"{year}-Q{q}") for q in range(1, 5)]
    for parts in (months, quarters):
        assert parts[0].start == whole.start and parts[-1].end == whole.end
        assert all(a.end == b.start for a, b in itertools.pairwise(parts))

"""Counter rows kept by the services (rollups): the two writes every rollup needs.

A rollup row holds counters for a key (an org, an area, a community-month). A service
that changes an underlying row adds `after - before` to the counters of the row's key in
the same transaction (`add`); a bulk path adds whole batches at once (`add_many`). Each
app's `rollup.rebuild` recomputes its rows from scratch, and tests hold the two equal.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model

from jiceng.core.bulk import execute_bound

# Rows per statement in add_many: a dozen parameters a row stays well below SQLite's
# 32,766 and keeps PostgreSQL's statements short.
ADD_MANY_ROWS = 1000
T = TypeVar("T")


def add(model: type[Model], key: Mapping[str, object], delta: Mapping[str, int]) -> None:
    """Add `delta` to the counters of the row with `key`, creating it if missing."""
    updates = {name: F(name) + value for name, value in delta.items() if value}
    if not updates:
        return
    if model._default_manager.filter(**key).update(**updates):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**key, **delta)
            return
    except IntegrityError:  # created meanwhile by a concurrent transaction
        pass
    model._default_manager.filter(**key).update(**updates)


def add_many(
    model: type[Model],
    key_columns: Sequence[str],
    counters: Sequence[str],
    totals: Mapping[tuple, Mapping[str, int]],
    *,
    casts: Sequence[str] | None = None,
) -> None:
    """Add counters to many rows, creating the missing ones: {key tuple: {counter: n}},
    one INSERT … ON CONFLICT per ADD_MANY_ROWS rows. Rows go in key order, so two
    batches running at once lock them in the same order. `casts` gives each key
    column's PostgreSQL type (the counters are integers), so the server can bind them."""
    items = sorted(totals.items())
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key_columns, *counters]
    types = [*(casts or [""] * len(key_columns)), *(["::integer"] * len(counters))]
    if connection.vendor != "postgresql":
        types = [""] * len(columns)
    row = "(" + ", ".join(f"%s{cast}" for cast in types) + ")"
    increments = ", ".join(
        f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}" for name in counters
    )
    names = ", ".join(quote(name) for name in columns)
    conflict = ", ".join(quote(name) for name in key_columns)
    for start in range(0, len(items), ADD_MANY_ROWS):
        chunk = items[start : start + ADD_MANY_ROWS]
        values: list = []
        for key, counts in chunk:
            values.extend([*key, *(counts.get(name, 0) for name in counters)])
        sql = (
            f"INSERT INTO {table} ({names}) VALUES "
            + ", ".join([row] * len(chunk))
            + f" ON CONFLICT ({conflict}) DO UPDATE SET {increments}"
        )
        execute_bound(sql, values)


# ---- counters keyed by one column (an area, an org) --------------------------------------------

# What one row counts for: (its key, {counter: 0/1}), or None when it counts for nothing.
Contribution = tuple[int, Mapping[str, int]] | None


def change(model: type[Model], column: str, before: Contribution, after: Contribution) -> None:
    """Apply one row's change, `after - before`, to the counters of its key: one row, or
    two when the row moved from one key to another."""
    totals: dict[int, Counter[str]] = {}
    for counted, sign in ((before, -1), (after, 1)):
        if counted is not None:
            key, counters = counted
            row = totals.setdefault(key, Counter())
            for name, value in counters.items():
                row[name] += sign * value
    for key, delta in sorted(totals.items()):
        add(model, {column: key}, delta)
    _propagate(model, column, totals)


def add_contributions(
    model: type[Model],
    column: str,
    counters: Sequence[str],
    contributions: Iterable[Contribution],
) -> None:
    """Add many new rows' counters in a few statements (the bulk paths); the key column
    is a bigint (a foreign key)."""
    totals: dict[tuple[int], dict[str, int]] = {}
    for counted in contributions:
        if counted is not None:
            key, values = counted
            row = totals.setdefault((key,), dict.fromkeys(counters, 0))
            for name, value in values.items():
                row[name] += value
    add_many(model, (column,), counters, totals, casts=("::bigint",))
    _propagate(model, column, {key: row for (key,), row in totals.items()})


# What else an area-keyed rollup's deltas {area id: {counter: n}} are added to, in the
# same transaction: core.tree_rollups adds itself when imported (by every app that keeps
# a tree, in ready()), and adds them to the rollup's tree, if it has one.
AreaTotalsHook = Callable[[type[Model], Mapping[int, Mapping[str, int]]], None]
_area_hooks: list[AreaTotalsHook] = []


def on_area_totals(hook: AreaTotalsHook) -> None:
    if hook not in _area_hooks:
        _area_hooks.append(hook)


def _propagate(model: type[Model], column: str, totals: Mapping[int, Mapping[str, int]]) -> None:
    if column == "area_id":
        for hook in _area_hooks:
            hook(model, totals)


# ---- reading many figures of one page -------------------------------------------------------

_memo: ContextVar[dict | None] = ContextVar("rollup_reads", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within the block, a rollup read asked again with the same key is answered from the
    first answer. A page of many figures (the home page's indicators, each its total and
    its children) reads the same rows once instead of once per figure. Only around reads:
    a write inside the block would not be seen by a read already made. A block inside
    another shares its answers (the big screen's figures within its charts)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoized(key: tuple, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]

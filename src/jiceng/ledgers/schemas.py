"""The ledgers' API shapes: the list of ledgers with their columns, and rows as objects
keyed by column (values: text, numbers, ISO dates; shares 0..1)."""

from ninja import Schema

from jiceng.core.inputs import limited_text


class LedgerColumnOut(Schema):
    key: str
    title: str
    kind: str


class LedgerOut(Schema):
    key: str
    title: str
    app: str
    app_title: str
    kind: str
    source: str
    subjects: list[str]
    takes_period: bool
    columns: list[LedgerColumnOut]


class LedgerRowOut(Schema):
    cells: dict[str, str | int | float | bool | None]


class LedgerJobIn(Schema):
    """The subject of a ledger generated in the background: an area or an org (ids) and
    the period (2026, 2026-03 or 2026-Q1; this year when empty)."""

    area: int | None = None
    org: int | None = None
    period: limited_text(20, kind="code") = ""

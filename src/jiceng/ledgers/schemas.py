"""The ledgers' API shapes: the list of ledgers with their columns, and rows as objects
keyed by column (values: text, numbers, ISO dates; shares 0..1)."""

from ninja import Schema


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

"""Plain multi-row inserts for imports of tens of thousands of rows, where building a
model instance and compiling an INSERT per row through the ORM costs more than the
database work. Values are adapted by the backend's own operations, so the rows are
exactly what the ORM would have written. Callers still validate every value and write
the audit entry; this only moves bytes."""

import functools
import json
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.db import connection
from django.db.models import Model


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _adapt_decimal(ops, value: Any, *, max_digits: int | None, places: int | None) -> Any:
    return ops.adapt_decimalfield_value(value, max_digits, places)


def insert_rows(model: type[Model], columns: list[str], rows: list[tuple], batch: int = 2000):
    """INSERT `rows` (tuples in `columns` order, column names as in the table) into the
    model's table, `batch` rows per statement execution."""
    if not rows:
        return
    ops = connection.ops
    fields = {f.column: f for f in model._meta.concrete_fields}
    adapters: list[Callable[[Any], Any] | None] = []
    for column in columns:
        field = fields[column]
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif kind == "JSONField":
            adapters.append(_json_or_none)
        elif kind == "DecimalField":
            adapters.append(
                functools.partial(
                    _adapt_decimal,
                    ops,
                    max_digits=getattr(field, "max_digits", None),
                    places=getattr(field, "decimal_places", None),
                )
            )
        else:
            adapters.append(None)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        # COPY is PostgreSQL's bulk path: one round trip for all rows. Errors come out
        # as Django's (IntegrityError for a unique index), as from any other query.
        with connection.cursor() as cursor, connection.wrap_database_errors:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            adapt(value) if adapt is not None and value is not None else value
                            for adapt, value in zip(adapters, row, strict=True)
                        ]
                    )
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = [
                tuple(
                    adapt(value) if adapt is not None and value is not None else value
                    for adapt, value in zip(adapters, row, strict=True)
                )
                for row in rows[start : start + batch]
            ]
            cursor.executemany(sql, chunk)


def execute_bound(sql: str, params: list, *, prepare: bool | None = None) -> list[tuple]:
    """Run one statement with its parameters bound on the server (PostgreSQL), and
    return its rows (none for a statement that returns none). Django binds parameters
    on the client, which for a statement with hundreds of them (a batch's VALUES or
    arrays) means rebuilding the whole query text every time; here the text goes once
    and the values apart. `prepare=True` also keeps the plan for the connection's life,
    for a statement run at every request. Elsewhere, Django's own cursor runs it.
    Parameters need explicit casts where the server cannot infer their type."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
        import psycopg

        bound = psycopg.Cursor(cursor.connection)
        logged = cursor.debug_sql(sql, params) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, connection.wrap_database_errors:
            bound.execute(sql, params, prepare=prepare)
            return bound.fetchall() if bound.description else []

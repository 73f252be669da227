"""Build the database DATABASE_URL names (which must be empty) one way, then print what
it holds as JSON: `python -m tests.core.fresh_schema_probe migrate|fresh`. Run in a
process of its own by tests/core/test_fresh_schema.py, so that each way starts from
Django's start-up as `jiceng prepare` does, against a database of its own."""

import json
import os
import sys
from typing import Any


def describe(connection) -> dict[str, Any]:
    """Tables, columns, constraints and indexes (by their definition, with their names
    where the database keeps one), triggers, and every row but the migration records'
    times. Column order is left out: a column added by a later migration comes last in
    its table, and no query here depends on the order."""
    described: dict[str, Any] = {"tables": {}, "triggers": [], "rows": {}}
    introspection = connection.introspection
    with connection.cursor() as cursor:
        tables = sorted(introspection.table_names(cursor))
        for table in tables:
            columns = sorted(
                [column.name, str(column.type_code), bool(column.null_ok), column.default]
                for column in introspection.get_table_description(cursor, table)
            )
            constraints = []
            sqlite = connection.vendor == "sqlite"
            for name, details in introspection.get_constraints(cursor, table).items():
                shown = {key: value for key, value in details.items() if value is not None}
                # SQLite numbers the constraints it has no name for, and the foreign keys,
                # in declaration order.
                unnamed = name.startswith("__unnamed_constraint") or (
                    sqlite and details.get("foreign_key") and name.startswith("fk_")
                )
                shown["name"] = "" if unnamed else name
                constraints.append(json.dumps(shown, sort_keys=True, default=list))
            described["tables"][table] = {"columns": columns, "constraints": sorted(constraints)}
            described["rows"][table] = _rows(cursor, connection, table, [c[0] for c in columns])
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type='trigger'")
        else:
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) "
                "FROM pg_trigger WHERE NOT tgisinternal"
            )
        described["triggers"] = sorted(list(row) for row in cursor.fetchall())
        if connection.vendor == "postgresql":
            cursor.execute("SELECT sequencename, data_type::text FROM pg_sequences")
            described["sequences"] = sorted(list(row) for row in cursor.fetchall())
    return described


# Content types are numbered in the order the migrate signal meets the models, which is
# the order Django renders them in: a permission is compared by its model's name.
BY_NAME = {
    "django_content_type": "SELECT app_label, model FROM django_content_type",
    "auth_permission": (
        "SELECT t.app_label, t.model, p.codename, p.name FROM auth_permission p"
        " JOIN django_content_type t ON t.id = p.content_type_id"
    ),
    "django_migrations": "SELECT app, name FROM django_migrations",
}


def _rows(cursor, connection, table: str, columns: list[str]) -> list[str]:
    query = BY_NAME.get(table)
    if query is None:
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        query = f"SELECT {names} FROM {connection.ops.quote_name(table)}"
    cursor.execute(query)
    return sorted(
        json.dumps(list(row), default=str, ensure_ascii=False) for row in cursor.fetchall()
    )


def main(way: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jiceng.core import fresh_schema

    if not fresh_schema.database_is_empty():
        raise SystemExit("the database is not empty")
    if way == "migrate":
        call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    elif way == "fresh":
        fresh_schema.create_schema(verbosity=0)
    else:
        raise SystemExit(f"unknown way: {way}")
    json.dump(describe(connection), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
